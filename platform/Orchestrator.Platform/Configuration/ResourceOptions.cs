namespace Orchestrator.Platform.Configuration;

/// <summary>
/// What one run of a service may use (<c>Orchestrator:Services:{name}:Resources</c>). Batch destinations ask for it
/// (Slurm's <c>--cpus-per-task</c>, <c>--mem</c>); local runs and agents enforce the limits they can without root.
/// Null means the destination's own default or no limit. The wall time is the service's timeout.
/// </summary>
public sealed class ResourceOptions
{
    /// <summary>CPUs per run (default 1).</summary>
    public int Cpus { get; set; } = 1;

    /// <summary>Memory per run in MiB.</summary>
    public int? MemoryMb { get; set; }

    /// <summary>CPU time per run in seconds (all processes of the run together, as far as the OS counts it).</summary>
    public int? CpuTimeSeconds { get; set; }

    /// <summary>Processes the run may have at once.</summary>
    public int? MaxProcesses { get; set; }

    /// <summary>Largest file the run may write, in MiB.</summary>
    public int? MaxFileSizeMb { get; set; }
}
