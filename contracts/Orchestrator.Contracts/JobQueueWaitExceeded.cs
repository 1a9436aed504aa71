namespace Orchestrator.Contracts;

/// <summary>A job has waited in the queue longer than its service's warning limit; it stays queued.</summary>
public sealed record JobQueueWaitExceeded(Guid JobId, long JobNumber, string Service, int UserId, DateTimeOffset QueuedSince);
