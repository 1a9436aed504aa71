namespace Orchestrator.Contracts;

/// <summary>An executor started the job's script.</summary>
/// <param name="Instance">The executor instance that runs it, for operators following a job.</param>
public sealed record JobStarted(
    Guid JobId,
    int Attempt,
    string Destination,
    string Instance,
    DateTimeOffset StartedAt);
