using System.IO.Compression;

namespace Orchestrator.Api.Jobs;

/// <summary>Writes a job's directory as a zip straight to the response, one file at a time.</summary>
public static class ResultArchive
{
    public static async Task WriteAsync(string directory, Stream output, CancellationToken cancellationToken)
    {
        await using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        var root = new DirectoryInfo(directory);
        foreach (var file in root.EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            // Links could point outside the job's directory; only the job's own regular files are results.
            if (file.LinkTarget is not null)
                continue;
            var entry = zip.CreateEntry(Path.GetRelativePath(root.FullName, file.FullName).Replace('\\', '/'), CompressionLevel.Fastest);
            entry.LastWriteTime = file.LastWriteTime;
            await using var source = file.OpenRead();
            await using var target = await entry.OpenAsync(cancellationToken);
            await source.CopyToAsync(target, cancellationToken);
        }
    }
}
