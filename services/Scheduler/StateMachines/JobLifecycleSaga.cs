using MassTransit;

namespace Orchestrator.Scheduler.StateMachines;

/// <summary>The scheduler's record of one job, persisted in <c>scheduler.job_sagas</c>.</summary>
public sealed class JobLifecycleSaga : SagaStateMachineInstance
{
    public Guid CorrelationId { get; set; }

    public string CurrentState { get; set; } = null!;

    public long JobNumber { get; set; }

    public int UserId { get; set; }

    public string Service { get; set; } = null!;

    public string? Destination { get; set; }

    public string Directory { get; set; } = null!;

    /// <summary>The run that counts; events of other attempts are stale.</summary>
    public int Attempt { get; set; }

    /// <summary>Numbers the announced transitions, so read models can order them.</summary>
    public int Sequence { get; set; }

    public int? ExitCode { get; set; }

    public string? Error { get; set; }

    /// <summary>The effective time limit of each run, resolved against the service's bounds at submission.</summary>
    public int TimeoutSeconds { get; set; }

    /// <summary>Variables for the job's script (JSON object), passed on with every attempt.</summary>
    public string? Environment { get; set; }

    /// <summary>Why the job was cancelled, when it was.</summary>
    public string? CancelReason { get; set; }

    /// <summary>The outcome of the last finished run (<c>RunOutcomes</c>).</summary>
    public string? LastOutcome { get; set; }

    public DateTimeOffset SubmittedAt { get; set; }

    public DateTimeOffset? QueuedAt { get; set; }

    public DateTimeOffset? DispatchedAt { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public DateTimeOffset? CleanedAt { get; set; }

    /// <summary>Token of the scheduled retention expiry, so it can be found or cancelled.</summary>
    public Guid? RetentionTokenId { get; set; }

    /// <summary>Token of the queue-wait warning of the current attempt, cancelled once the attempt leaves the queue.</summary>
    public Guid? QueueWaitTokenId { get; set; }

    /// <summary>Token of the current run's deadline, cancelled once the run has ended.</summary>
    public Guid? DeadlineTokenId { get; set; }
}
