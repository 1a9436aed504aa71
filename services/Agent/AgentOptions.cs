namespace Orchestrator.Agent;

/// <summary>Section <c>Agent</c>.</summary>
public sealed class AgentOptions
{
    public const string Section = "Agent";

    /// <summary>Where payload directories (<c>{DataPath}/payloads/{id}</c>) and their state files live.</summary>
    public string DataPath { get; set; } = "/var/lib/orchestrator-agent";

    /// <summary>Largest <c>POST /submit</c>, all files together (default 400 MiB, as the anchor).</summary>
    public long MaxUploadBytes { get; set; } = 400L * 1024 * 1024;

    /// <summary>Payloads running at once; 0 means no limit (the orchestrator's capacity decides).</summary>
    public int MaxConcurrentRuns { get; set; }

    /// <summary>How often prepared payloads are started and running ones checked (default 500 ms, as the anchor).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long <c>/kill</c> waits after SIGTERM before SIGKILL (default 5 s).</summary>
    public TimeSpan KillGrace { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Finished payloads older than this are removed and marked Cleaned (default 10 days).</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(10);

    public string PayloadsPath => Path.Combine(DataPath, "payloads");

    public string StatePath => Path.Combine(DataPath, "state");
}
