namespace Orchestrator.Scheduler.Dispatching;

/// <summary>Section <c>Dispatch</c>.</summary>
public sealed class DispatchOptions
{
    /// <summary>Longest wait between dispatch passes when nothing signalled a change (default 1 s).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Jobs dispatched per transaction at most (default 100).</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>Half-life of the usage behind fair-share ordering (default 1 day, as Slurm's PriorityDecayHalfLife).</summary>
    public TimeSpan FairShareHalfLife { get; set; } = TimeSpan.FromDays(1);
}
