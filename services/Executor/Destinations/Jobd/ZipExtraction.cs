using System.IO.Compression;

namespace Orchestrator.Executor.Destinations.Jobd;

/// <summary>Unpacks an agent's zip into the job's directory, refusing entries that would land outside it.</summary>
public static class ZipExtraction
{
    public static void ExtractInto(string zipPath, string directory)
    {
        var root = Path.GetFullPath(directory) + Path.DirectorySeparatorChar;
        using var zip = ZipFile.OpenRead(zipPath);
        foreach (var entry in zip.Entries)
        {
            var target = Path.GetFullPath(Path.Combine(root, entry.FullName));
            if (!target.StartsWith(root, StringComparison.Ordinal))
                throw new InvalidDataException($"The agent's zip has an entry '{entry.FullName}' outside the job's directory.");
            if (entry.FullName.EndsWith('/'))
            {
                Directory.CreateDirectory(target);
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            entry.ExtractToFile(target, overwrite: true);
        }
    }

    /// <summary>True when the file starts like a zip (a local file header, or the end record of an empty zip).</summary>
    public static bool LooksLikeZip(string path)
    {
        Span<byte> head = stackalloc byte[4];
        using var file = File.OpenRead(path);
        return file.Read(head) == 4 && head[0] == 'P' && head[1] == 'K'
               && (head[2], head[3]) is (3, 4) or (5, 6);
    }
}
