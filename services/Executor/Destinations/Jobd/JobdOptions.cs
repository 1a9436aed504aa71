namespace Orchestrator.Executor.Destinations.Jobd;

/// <summary>Section <c>Executor:Jobd</c>: how a jobd destination's agents are watched and chosen.</summary>
public sealed class JobdOptions
{
    public const string Section = "Executor:Jobd";

    /// <summary>How often each agent's <c>/load</c> is asked while it answers (default 5 s).</summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest wait between probes of an agent that does not answer; the wait doubles up to it (default 1 min).</summary>
    public TimeSpan ProbeMaxBackoff { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long an agent may stay silent before its jobs are reported Lost (default 5 min), for the service's
    /// retry policy (<c>RetryLostRuns</c>) to run them again elsewhere or fail them.
    /// </summary>
    public TimeSpan LostAgentGrace { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Time limit of a short call: status headers, kill, load (default 30 s).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Time limit of moving a job's files: a submit or a result zip (default 30 min).</summary>
    public TimeSpan TransferTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Load points (percent) one job of ours in flight on an agent counts for when choosing one (default 10).</summary>
    public double InFlightWeight { get; set; } = 10;
}
