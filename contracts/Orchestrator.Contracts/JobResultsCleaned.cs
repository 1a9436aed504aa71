namespace Orchestrator.Contracts;

/// <summary>The Janitor removed an expired job's files.</summary>
public sealed record JobResultsCleaned(Guid JobId, DateTimeOffset CleanedAt);
