namespace Orchestrator.Api.Jobs;

/// <summary>Section <c>Api</c>.</summary>
public sealed class ApiOptions
{
    /// <summary>Largest upload accepted, all files together, in bytes (default 400 MiB, as the WeNMR orchestrator).</summary>
    public long MaxUploadBytes { get; set; } = 400L * 1024 * 1024;

    /// <summary>What a <c>429</c> for a full per-user queue tells the client to wait (Retry-After, default 30 s).</summary>
    public TimeSpan QueueFullRetryAfter { get; set; } = TimeSpan.FromSeconds(30);
}
