namespace Orchestrator.Executor;

/// <summary>Section <c>Executor</c>.</summary>
public sealed class ExecutorOptions
{
    /// <summary>The destination whose queue this instance consumes (default <c>local</c>).</summary>
    public string Destination { get; set; } = "local";

    /// <summary>Jobs this instance runs at once (default 4).</summary>
    public int MaxConcurrentJobs { get; set; } = 4;

    /// <summary>
    /// Identifies this instance's runs across restarts, so a restarted instance takes its runs back. Empty means
    /// <c>{machine name}-{destination}</c>; give each instance on one machine its own.
    /// </summary>
    public string InstanceId { get; set; } = "";

    /// <summary>
    /// How long a job waits for a free slot before it goes back to the end of the queue, where another instance
    /// may take it (default 1 minute). Keeps broker messages from being held for a whole job's duration.
    /// </summary>
    public TimeSpan SlotWaitTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often runs taken over after a restart are checked for having ended (default 1 s).</summary>
    public TimeSpan AdoptedRunPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the instance publishes its destination's status for <c>GET /destinations</c> (default 10 s).</summary>
    public TimeSpan StatusInterval { get; set; } = TimeSpan.FromSeconds(10);

    public string ResolvedInstanceId => string.IsNullOrWhiteSpace(InstanceId) ? $"{Environment.MachineName}-{Destination}" : InstanceId;
}
