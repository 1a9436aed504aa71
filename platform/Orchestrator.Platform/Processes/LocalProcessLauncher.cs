using System.Diagnostics;

namespace Orchestrator.Platform.Processes;

/// <summary>
/// Starts <c>bash run.sh</c> in the job's directory in a session of its own. Output goes to files and the exit code
/// to <see cref="ExitCodeFile"/> from a wrapper shell, so the run survives the executor's own death and a restarted
/// executor can still learn how it ended.
/// </summary>
public static class LocalProcessLauncher
{
    public const string ExitCodeFile = ".orchestrator.exit";
    public const string StdoutFile = "stdout.log";
    public const string StderrFile = "stderr.log";

    // The wrapper first lets go of the executor's own stdin, stdout and stderr: a job that outlives its executor
    // would otherwise hold them open, and whatever reads them (a pipe, a supervisor) would not see the executor end.
    const string Wrapper =
        $"exec </dev/null >/dev/null 2>&1; bash run.sh >{StdoutFile} 2>{StderrFile} </dev/null; code=$?; echo \"$code\" > {ExitCodeFile}; exit \"$code\"";

    public static Process Start(string directory, Guid jobId, IReadOnlyDictionary<string, string>? environment = null)
    {
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"The job's directory {directory} does not exist on this executor.");
        if (!File.Exists(Path.Combine(directory, "run.sh")))
            throw new FileNotFoundException($"The job's directory {directory} has no run.sh.");

        var start = new ProcessStartInfo("setsid")
        {
            WorkingDirectory = directory,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("bash");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Wrapper);

        // The job sees a clean environment, not the executor's (which holds connection strings and passwords).
        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/local/bin:/usr/bin:/bin";
        start.Environment["HOME"] = directory;
        start.Environment["LANG"] = "C.UTF-8";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            if (IsAllowedVariable(name))
                start.Environment[name] = value;
        }

        start.Environment["ORCHESTRATOR_JOB_ID"] = jobId.ToString();
        return Process.Start(start) ?? throw new InvalidOperationException("setsid could not be started.");
    }

    /// <summary>A job may set ordinary variables, not the ones the runner relies on.</summary>
    public static bool IsAllowedVariable(string name) =>
        System.Text.RegularExpressions.Regex.IsMatch(name, "^[A-Za-z_][A-Za-z0-9_]{0,127}$")
        && name is not ("PATH" or "HOME" or "LD_PRELOAD" or "LD_LIBRARY_PATH")
        && !name.StartsWith("ORCHESTRATOR_", StringComparison.Ordinal);

    /// <summary>The exit code the wrapper recorded, or null when the run ended without recording one.</summary>
    public static int? ReadExitCode(string directory)
    {
        var path = Path.Combine(directory, ExitCodeFile);
        return File.Exists(path) && int.TryParse(File.ReadAllText(path).Trim(), out var code) ? code : null;
    }
}
