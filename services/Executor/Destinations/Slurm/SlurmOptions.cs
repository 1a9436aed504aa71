namespace Orchestrator.Executor.Destinations.Slurm;

/// <summary>
/// A destination of kind <c>slurm</c> (<c>Orchestrator:Destinations:{name}</c>, next to <c>Kind</c> and
/// <c>Capacity</c>). The executor submits with <c>sbatch</c> and follows with <c>squeue</c>/<c>sacct</c>; the
/// job directories must be visible at the same path on the submitting host and the compute nodes (a shared file
/// system), as results are read where the job wrote them.
/// </summary>
public sealed class SlurmOptions
{
    /// <summary>Partition to submit to (<c>--partition</c>); empty means the cluster's default.</summary>
    public string? Partition { get; set; }

    /// <summary>Account to charge (<c>--account</c>); empty means the submitting user's default.</summary>
    public string? Account { get; set; }

    /// <summary>
    /// Words put before every Slurm command, e.g. <c>ssh -o BatchMode=yes login.cluster</c> to run them on a login
    /// node. Empty runs them on the executor's machine. The commands' arguments never need shell quoting (the job
    /// script goes through standard input), so they pass unchanged through ssh's remote shell.
    /// </summary>
    public string CommandPrefix { get; set; } = "";

    /// <summary>The <c>sbatch</c> command (a name on PATH or a full path).</summary>
    public string Sbatch { get; set; } = "sbatch";

    public string Squeue { get; set; } = "squeue";

    public string Sacct { get; set; } = "sacct";

    public string Scancel { get; set; } = "scancel";

    /// <summary>How long one Slurm command may take before it is killed and the cluster counted unreachable (default 30 s).</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a job may be unknown to slurmctld while accounting still shows it pending or running before it is
    /// failed as vanished (default 1 minute). That happens when slurmctld crashed before saving the job's state.
    /// </summary>
    public TimeSpan VanishedGrace { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Start of every Slurm job name; the full name is <c>{prefix}-{job id}-{attempt}</c>.</summary>
    public string JobNamePrefix { get; set; } = "orchestrator";

    public IReadOnlyList<string> PrefixWords =>
        CommandPrefix.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
