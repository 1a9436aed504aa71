namespace Orchestrator.Scheduler.StateMachines.Timers;

/// <summary>Scheduled at dispatch for the run's time limit plus grace: the destination has not reported in time.</summary>
public sealed record RunDeadlinePassed(Guid JobId, int Attempt);
