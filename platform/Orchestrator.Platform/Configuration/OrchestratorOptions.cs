namespace Orchestrator.Platform.Configuration;

/// <summary>Section <c>Orchestrator</c>: what every service agrees on.</summary>
public sealed class OrchestratorOptions
{
    public const string Section = "Orchestrator";

    /// <summary>The portal services jobs are submitted to, by name (<c>service=generic</c> on upload).</summary>
    public Dictionary<string, ServiceOptions> Services { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Where jobs can run, by name.</summary>
    public Dictionary<string, DestinationOptions> Destinations { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How long a finished job's results are kept before the Janitor removes them (default 10 days).</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(10);

    public StorageOptions Storage { get; set; } = new();

    /// <summary>
    /// How long past a run's time limit the scheduler waits for its destination's report before it gives the slot
    /// back and marks the job TimedOut itself (default 2 minutes): the safety net for a destination that vanished.
    /// </summary>
    public TimeSpan RunDeadlineGrace { get; set; } = TimeSpan.FromMinutes(2);
}
