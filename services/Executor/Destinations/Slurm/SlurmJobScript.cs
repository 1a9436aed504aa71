using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Orchestrator.Executor.Runs;
using Orchestrator.Platform.Configuration;
using Orchestrator.Platform.Processes;

namespace Orchestrator.Executor.Destinations.Slurm;

/// <summary>
/// The batch script submitted for a run: <c>#SBATCH</c> lines for its name, directory, output files, wall time and
/// resources, then a clean environment and <c>bash run.sh</c>, whose exit code becomes the Slurm job's.
/// </summary>
public static partial class SlurmJobScript
{
    public static string JobName(SlurmOptions options, RunRecord run) => $"{options.JobNamePrefix}-{run.JobId}-{run.Attempt}";

    /// <summary>Slurm counts wall time in whole minutes; a limit is rounded up so the job gets at least what it asked.</summary>
    public static int WallTimeMinutes(int timeoutSeconds) => Math.Max(1, (timeoutSeconds + 59) / 60);

    public static string Render(RunRecord run, ResourceOptions resources, SlurmOptions options)
    {
        // #SBATCH lines are not shell: a path Slurm would split or expand (%j) cannot be quoted there, so it is refused.
        if (!SafePath().IsMatch(run.Directory))
            throw new ArgumentException($"The job's directory '{run.Directory}' holds characters an #SBATCH line cannot carry; use a jobs root of letters, digits and / . _ - only.");

        var script = new StringBuilder();
        script.Append("#!/bin/bash\n");
        Directive(script, "job-name", JobName(options, run));
        Directive(script, "chdir", run.Directory);
        Directive(script, "output", LocalProcessLauncher.StdoutFile);
        Directive(script, "error", LocalProcessLauncher.StderrFile);
        Directive(script, "export", "NONE");
        Directive(script, "nodes", "1");
        Directive(script, "ntasks", "1");
        Directive(script, "cpus-per-task", Math.Max(1, resources.Cpus).ToString(CultureInfo.InvariantCulture));
        if (resources.MemoryMb is { } memory)
            Directive(script, "mem", $"{memory.ToString(CultureInfo.InvariantCulture)}M");
        if (run.TimeoutSeconds is { } timeout)
            Directive(script, "time", WallTimeMinutes(timeout).ToString(CultureInfo.InvariantCulture));
        if (!string.IsNullOrEmpty(options.Partition))
            Directive(script, "partition", options.Partition);
        if (!string.IsNullOrEmpty(options.Account))
            Directive(script, "account", options.Account);

        script.Append(CultureInfo.InvariantCulture, $"# Orchestrator job {run.JobId}, attempt {run.Attempt}, service {run.Service}, user {run.UserId}.\n");
        // The job sees a clean environment, as with the local runner: never the executor's (connection strings).
        script.Append("export PATH=/usr/local/bin:/usr/bin:/bin\n");
        script.Append(CultureInfo.InvariantCulture, $"export HOME={Quote(run.Directory)}\n");
        script.Append("export LANG=C.UTF-8\n");
        foreach (var (name, value) in Variables(run))
        {
            if (LocalProcessLauncher.IsAllowedVariable(name))
                script.Append(CultureInfo.InvariantCulture, $"export {name}={Quote(value)}\n");
        }

        script.Append(CultureInfo.InvariantCulture, $"export ORCHESTRATOR_JOB_ID={run.JobId}\n");
        if (resources.CpuTimeSeconds is { } cpuSeconds)
            script.Append(CultureInfo.InvariantCulture, $"ulimit -t {cpuSeconds}\n");
        if (resources.MaxFileSizeMb is { } fileMb)
            script.Append(CultureInfo.InvariantCulture, $"ulimit -f {(long)fileMb * 1024}\n");
        script.Append(CultureInfo.InvariantCulture, $"cd {Quote(run.Directory)} || exit 1\n");
        script.Append("exec bash run.sh </dev/null\n");
        return script.ToString();
    }

    static void Directive(StringBuilder script, string option, string value) =>
        script.Append(CultureInfo.InvariantCulture, $"#SBATCH --{option}={value}\n");

    /// <summary>Single-quotes a value for bash: every character stays literal.</summary>
    public static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    static Dictionary<string, string> Variables(RunRecord run) =>
        run.Environment is null ? [] : JsonSerializer.Deserialize<Dictionary<string, string>>(run.Environment) ?? [];

    [GeneratedRegex("^/[A-Za-z0-9/._+-]*$")]
    private static partial Regex SafePath();
}
