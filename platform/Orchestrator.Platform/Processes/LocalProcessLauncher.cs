using System.Diagnostics;
using System.Globalization;
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

    // The wrapper first lets go of the executor's own stdin, stdout and stderr: a job that outlives its executor
    // would otherwise hold them open, and whatever reads them (a pipe, a supervisor) would not see the executor end.
    // Limits are set with ulimit (setrlimit) in the wrapper, so they need no privileges and bind run.sh and all it
    // starts; a limit that cannot be set stops the run rather than letting it go unlimited.
    static string Wrapper(string limits) =>
        $"exec </dev/null >/dev/null 2>&1; " +
        (limits.Length == 0 ? "" : $"{limits} || {{ echo 'resource limits could not be set' > {StderrFile}; echo {LimitsNotApplied} > {ExitCodeFile}; exit {LimitsNotApplied}; }}; ") +
        $"bash run.sh >{StdoutFile} 2>{StderrFile} </dev/null; code=$?; echo \"$code\" > {ExitCodeFile}; exit \"$code\"";

    /// <summary>
    /// The <c>ulimit</c> command for <paramref name="resources"/>: CPU seconds (<c>-t</c>), address space in KiB
    /// (<c>-v</c>), processes of the user (<c>-u</c>), file size in KiB (<c>-f</c>); empty when nothing is limited.
    /// Hard and soft limits are set together, so the job cannot raise them again; only the soft CPU limit is a
    /// second lower, so the run first gets SIGXCPU (an exit code that names the limit) and SIGKILL only if it ignores it.
    /// </summary>
    public static string LimitCommand(ResourceOptions? resources)
    {
        if (resources is null)
            return string.Empty;
        var flags = new List<string>();
        if (resources.CpuTimeSeconds is { } cpu)
            flags.Add($"-t {(cpu + 1L).ToString(CultureInfo.InvariantCulture)}");
        if (resources.MemoryMb is { } memory)
            flags.Add($"-v {(memory * 1024L).ToString(CultureInfo.InvariantCulture)}");
        if (resources.MaxProcesses is { } processes)
            flags.Add($"-u {processes.ToString(CultureInfo.InvariantCulture)}");
        if (resources.MaxFileSizeMb is { } fileSize)
            flags.Add($"-f {(fileSize * 1024L).ToString(CultureInfo.InvariantCulture)}");
        if (flags.Count == 0)
            return string.Empty;
        var command = "ulimit " + string.Join(' ', flags);
        return resources.CpuTimeSeconds is { } soft ? $"{command} && ulimit -S -t {soft.ToString(CultureInfo.InvariantCulture)}" : command;
    }

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

    public static Process Start(string directory, Guid jobId, IReadOnlyDictionary<string, string>? environment = null,
        ResourceOptions? resources = null)
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
        start.ArgumentList.Add(Wrapper(LimitCommand(resources)));

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
