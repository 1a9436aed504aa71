namespace Orchestrator.Scheduler.StateMachines.Timers;

/// <summary>Scheduled after a retryable failure: the back-off is over, queue the next attempt.</summary>
public sealed record RetryDue(Guid JobId, int Attempt);
