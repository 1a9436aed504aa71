namespace Orchestrator.Contracts;

/// <summary>The scheduler moved a job to a new state; read models (the Api's job table) follow these.</summary>
/// <param name="Sequence">Grows by one per transition, so a reader can drop stale or duplicated events.</param>
/// <param name="State">One of <see cref="JobStates"/>.</param>
/// <param name="Attempt">The attempt the state belongs to, counted from 1 as the job is queued for it.</param>
/// <param name="DispatchedAt">When that attempt was sent to its destination; null while it never was (queued, or cancelled in the queue).</param>
/// <param name="Outcome">For a finished attempt, how its run ended (<see cref="RunOutcomes"/>).</param>
public sealed record JobStateChanged(
    Guid JobId,
    long JobNumber,
    string State,
    int Sequence,
    DateTimeOffset ChangedAt,
    string? Destination,
    int? ExitCode,
    string? Error,
    int Attempt = 0,
    string? Outcome = null,
    DateTimeOffset? DispatchedAt = null);
