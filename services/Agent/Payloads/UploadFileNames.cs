namespace Orchestrator.Agent.Payloads;

/// <summary>Turns a client's file name into the basename the file is stored under, as the anchor does.</summary>
public static class UploadFileNames
{
    /// <summary>The last path segment, or null for a name that is not usable (empty, dots, control characters) or
    /// that would overwrite the file the agent records the exit code in.</summary>
    public static string? Safe(string fileName)
    {
        var name = fileName.Replace('\\', '/');
        name = name[(name.LastIndexOf('/') + 1)..].Trim();
        if (name.Length == 0 || name.Length > 255 || name is "." or ".." || name.Any(char.IsControl))
            return null;
        return name == Platform.Processes.LocalProcessLauncher.ExitCodeFile ? null : name;
    }
}
