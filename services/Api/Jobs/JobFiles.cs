namespace Orchestrator.Api.Jobs;

/// <summary>A job's own files: regular files in its directory tree, reached without passing through any link.</summary>
public static class JobFiles
{
    /// <summary>
    /// Every regular file under <paramref name="directory"/>. Symbolic links are skipped, whether to files or to
    /// directories, so a job that links <c>/etc</c> or <c>..</c> into its directory gets nothing from outside it.
    /// </summary>
    public static IEnumerable<FileInfo> RegularFiles(string directory)
    {
        var options = new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = true, RecurseSubdirectories = false };
        var pending = new Stack<DirectoryInfo>();
        pending.Push(new DirectoryInfo(directory));
        while (pending.Count > 0)
        {
            foreach (var entry in pending.Pop().EnumerateFileSystemInfos("*", options))
            {
                if (entry.LinkTarget is not null)
                    continue;
                if (entry is DirectoryInfo subdirectory)
                    pending.Push(subdirectory);
                else if (entry is FileInfo file)
                    yield return file;
            }
        }
    }
}
