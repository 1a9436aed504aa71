namespace Orchestrator.Api.Jobs;

/// <summary>Section <c>Api</c>.</summary>
public sealed class ApiOptions
{
    /// <summary>Largest upload accepted, all files together, in bytes (default 400 MiB, as the WeNMR orchestrator).</summary>
    public long MaxUploadBytes { get; set; } = 400L * 1024 * 1024;
}
