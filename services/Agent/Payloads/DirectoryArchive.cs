using System.IO.Compression;

namespace Orchestrator.Agent.Payloads;

/// <summary>Writes a payload's directory as a zip, one file at a time, straight to the response.</summary>
public static class DirectoryArchive
{
    public static async Task WriteAsync(string directory, Stream output, CancellationToken cancellationToken)
    {
        await using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        var root = new DirectoryInfo(directory);
        if (!root.Exists)
            return;
        foreach (var file in root.EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            // A link made by the script could point anywhere on the agent's machine: only regular files go out.
            if (file.LinkTarget is not null)
                continue;
            var entry = zip.CreateEntry(Path.GetRelativePath(root.FullName, file.FullName).Replace('\\', '/'), CompressionLevel.Fastest);
            entry.LastWriteTime = file.LastWriteTime;
            try
            {
                await using var source = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                await using var target = await entry.OpenAsync(cancellationToken);
                await source.CopyToAsync(target, cancellationToken);
            }
            catch (FileNotFoundException)
            {
                // A running script may remove a file between listing and reading; the partial zip just lacks it.
            }
        }
    }
}
