namespace Orchestrator.UnitTests.Scheduler;

/// <summary>The saga's facts at the moment it handed the job to the queue (the saga object itself keeps changing).</summary>
public sealed record QueuedJobSnapshot(
    Guid JobId,
    long JobNumber,
    string Service,
    int UserId,
    string? Destination,
    string Directory,
    int Attempt);
