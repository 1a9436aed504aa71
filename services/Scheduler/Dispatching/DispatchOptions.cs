namespace Orchestrator.Scheduler.Dispatching;

/// <summary>Section <c>Dispatch</c>.</summary>
public sealed class DispatchOptions
{
    /// <summary>Longest wait between dispatch passes when nothing signalled a change (default 1 s).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Shortest time between the starts of two dispatch passes (default 10 ms). Every submission and every finished run
    /// wakes the dispatcher; under load, the wake-ups within this interval are served by one pass, which then dispatches
    /// several jobs in one transaction instead of running a pass per wake-up that mostly finds no free slot. A wake-up
    /// after a quiet spell is served at once, so light load sees no added latency.
    /// </summary>
    public TimeSpan MinPassInterval { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Jobs dispatched per transaction at most (default 100).</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>Half-life of the usage behind fair-share ordering (default 1 day, as Slurm's PriorityDecayHalfLife).</summary>
    public TimeSpan FairShareHalfLife { get; set; } = TimeSpan.FromDays(1);
}
