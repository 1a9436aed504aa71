namespace Orchestrator.UnitTests.Scheduler;

/// <summary>Where a test job is brought, by the events that normally lead there, before the event under test.</summary>
public enum JobStage
{
    Queued,
    Dispatched,
    Running,

    /// <summary>Cancelled while running; the destination has not confirmed the stop.</summary>
    Cancelling,

    /// <summary>The first attempt could not be started; the second waits for its back-off.</summary>
    RetryPending,
    Completed,
    Failed,
    Cancelled,
    TimedOut,
    Cleaned,

    /// <summary>Failed at submission: its service has no destination.</summary>
    Unroutable,
}
