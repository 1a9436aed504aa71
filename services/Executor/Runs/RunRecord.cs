namespace Orchestrator.Executor.Runs;

/// <summary>One attempt of one job on this destination (<c>executor.runs</c>), keyed by (job, attempt) so a
/// redelivered <c>RunJob</c> never starts a second process.</summary>
public sealed class RunRecord
{
    public Guid JobId { get; set; }

    public int Attempt { get; set; }

    public required string InstanceId { get; set; }

    /// <summary>The portal service the job belongs to; its configuration gives the run's resources.</summary>
    public required string Service { get; set; }

    public int UserId { get; set; }

    public required string Directory { get; set; }

    public required string State { get; set; }

    /// <summary>The destination's own id of the run (a Slurm job id, an agent's payload id), once submitted.</summary>
    public string? ExternalId { get; set; }

    /// <summary>Process id of the run's session leader, once started.</summary>
    public int? ProcessId { get; set; }

    /// <summary>The process's start time in clock ticks since boot, so a reused pid is not mistaken for the run.</summary>
    public long? ProcessStartTicks { get; set; }

    public int? ExitCode { get; set; }

    /// <summary>The run's time limit; a run over it is killed and reported timed out.</summary>
    public int? TimeoutSeconds { get; set; }

    /// <summary>Variables the job asked for (JSON object), kept so the run can be described after a restart.</summary>
    public string? Environment { get; set; }

    public DateTimeOffset AcceptedAt { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }
}
