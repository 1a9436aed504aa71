namespace Orchestrator.Scheduler.StateMachines.Timers;

/// <summary>Scheduled at enqueue for the service's queue-wait warning limit.</summary>
public sealed record QueueWaitLimitReached(Guid JobId, int Attempt);
