using Orchestrator.Platform.Configuration;

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

    /// <summary>The exit code of a run that could not be given its resource limits; it is not run at all then.</summary>
    public const int LimitsNotApplied = 126;

    const int CpuTimeExceeded = 128 + 24;  // SIGXCPU
    const int FileSizeExceeded = 128 + 25; // SIGXFSZ

    // The wrapper is a POSIX shell script, run by dash where it is installed (WrapperShell). It starts with stdin,
    // stdout and stderr on /dev/null (SessionSpawn), not the executor's own: a job that outlives its executor would
    // otherwise hold them open, and whatever reads them (a pipe, a supervisor) would not see the executor end. run.sh
    // inherits that stdin. Limits are set with ulimit (setrlimit) in the wrapper, so they need no privileges and bind
    // run.sh and all it starts; a limit that cannot be set stops the run rather than letting it go unlimited.
    // bash run.sh is redirected inside a subshell that execs it: dash applies a plain command's redirections in
    // itself around the command, so its own note of a signal that ended the command ("CPU time limit exceeded")
    // would land in the job's stderr.log.
    static string Wrapper(string limits) =>
        (limits.Length == 0 ? "" : $"{limits} || {{ echo 'resource limits could not be set' > {StderrFile}; echo {LimitsNotApplied} > {ExitCodeFile}; exit {LimitsNotApplied}; }}; ") +
        $"(exec bash run.sh >{StdoutFile} 2>{StderrFile}); code=$?; echo \"$code\" > {ExitCodeFile}; exit \"$code\"";

    /// <summary>The <c>ulimit</c> commands the wrapper runs for <paramref name="resources"/> (see <see cref="WrapperShell.LimitCommand"/>).</summary>
    public static string LimitCommand(ResourceOptions? resources) => WrapperShell.Default.LimitCommand(resources);

    /// <summary>What a run's exit code says about a limit it hit, or null when it says nothing of the kind.</summary>
    public static string? LimitExceeded(int? exitCode, ResourceOptions? resources) => exitCode switch
    {
        CpuTimeExceeded when resources?.CpuTimeSeconds is { } cpu =>
            $"The job used more than its CPU time limit of {cpu} s and was killed (SIGXCPU).",
        FileSizeExceeded when resources?.MaxFileSizeMb is { } size =>
            $"The job wrote a file larger than its limit of {size} MiB and was killed (SIGXFSZ).",
        LimitsNotApplied when !string.IsNullOrEmpty(LimitCommand(resources)) =>
            $"The job's resource limits ({LimitCommand(resources)}) could not be set, so it was not run.",
        _ => null,
    };

    /// <summary>
    /// Starts the wrapper in <paramref name="directory"/>, in a session of its own, with a clean environment: only
    /// <c>PATH</c>, <c>HOME</c>, <c>LANG</c>, <c>ORCHESTRATOR_JOB_ID</c> and the job's allowed
    /// <paramref name="environment"/> (never the executor's, which holds connection strings and passwords).
    /// </summary>
    public static RunProcess Start(string directory, Guid jobId, IReadOnlyDictionary<string, string>? environment = null,
        ResourceOptions? resources = null) =>
        RunProcess.Follow(Spawn(directory, jobId, environment, resources), directory);

    /// <summary>
    /// Starts the wrapper and returns its pid, leaving it to the caller to reap. <paramref name="scriptChangesDirectory"/>
    /// makes the wrapper change to the directory itself, as it does where glibc cannot (before 2.29).
    /// </summary>
    internal static int Spawn(string directory, Guid jobId, IReadOnlyDictionary<string, string>? environment, ResourceOptions? resources,
        WrapperShell? shell = null, bool scriptChangesDirectory = false)
    {
        shell ??= WrapperShell.Default;
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"The job's directory {directory} does not exist on this executor.");
        if (!File.Exists(Path.Combine(directory, "run.sh")))
            throw new FileNotFoundException($"The job's directory {directory} has no run.sh.");

        var variables = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = "/usr/local/bin:/usr/bin:/bin",
            ["HOME"] = directory,
            ["LANG"] = "C.UTF-8",
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            if (IsAllowedVariable(name))
                variables[name] = value;
        }

        variables["ORCHESTRATOR_JOB_ID"] = jobId.ToString();

        var script = Wrapper(shell.LimitCommand(resources));
        List<string> arguments = [shell.Name, "-c", script];
        if (scriptChangesDirectory || !SessionSpawn.ChangesDirectory)
        {
            // Without posix_spawn_file_actions_addchdir_np (glibc before 2.29) the wrapper changes to the directory
            // itself, given as $1, and drops the OLDPWD cd exports, which would tell the job where the executor runs.
            arguments = [shell.Name, "-c", $"cd -P -- \"$1\" || exit; unset OLDPWD; {script}", "orchestrator-run", directory];
        }

        return SessionSpawn.Start(shell.Path, arguments, [.. variables.Select(v => $"{v.Key}={v.Value}")],
            scriptChangesDirectory ? null : directory);
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
