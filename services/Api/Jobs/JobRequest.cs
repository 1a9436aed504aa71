namespace Orchestrator.Api.Jobs;

/// <summary>A job as the v1 API and the bus describe it, before its files are fetched and it is stored.</summary>
/// <param name="ClientId">The id the client chose; a repeat with the same id and request returns the same job.</param>
public sealed record JobRequest(
    string? ClientId,
    string? Service,
    int? UserId,
    IReadOnlyList<JobInput> Files,
    IReadOnlyDictionary<string, string>? Environment,
    int? TimeoutSeconds,
    JobCallback? Callback);
