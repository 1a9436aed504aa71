namespace Orchestrator.Api.Jobs;

/// <summary>
/// The rules for client-chosen file paths: relative, '/'-separated, inside the job's directory. Unlike uploads, whose
/// names are cut to their last segment, a path that breaks them is refused: a client naming sub-directories means them.
/// </summary>
public static class JobPaths
{
    public const int MaxLength = 1024;

    /// <summary>The path in canonical form, or null when it is not an acceptable relative path.</summary>
    public static string? Normalise(string? path)
    {
        if (string.IsNullOrWhiteSpace(path) || path.Length > MaxLength || path.Contains('\\') || path.StartsWith('/'))
            return null;
        var segments = path.Split('/');
        foreach (var segment in segments)
        {
            if (segment.Length == 0 || segment is "." or ".." || segment.Any(char.IsControl) || segment.Trim() != segment)
                return null;
        }

        return string.Join('/', segments);
    }

    /// <summary>
    /// The absolute path of <paramref name="relative"/> inside <paramref name="root"/>, or null when it would leave it,
    /// including through a symbolic link anywhere along the way.
    /// </summary>
    public static string? Resolve(string root, string relative)
    {
        if (Normalise(relative) is not { } normalised)
            return null;
        var rootFull = Path.GetFullPath(root);
        var current = rootFull;
        foreach (var segment in normalised.Split('/'))
        {
            current = Path.Combine(current, segment);
            FileSystemInfo info = Directory.Exists(current) ? new DirectoryInfo(current) : new FileInfo(current);
            if (info.Exists && info.LinkTarget is not null)
                return null;
        }

        var full = Path.GetFullPath(current);
        return full.StartsWith(rootFull + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? full : null;
    }
}
