namespace Orchestrator.Scheduler.StateMachines;

/// <summary>What a finished run means for the job.</summary>
public enum RunVerdict
{
    Completed,
    Failed,
    Retry,
    Cancelled,
    TimedOut,
}
