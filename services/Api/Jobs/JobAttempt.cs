namespace Orchestrator.Api.Jobs;

/// <summary>One attempt at running a job (<c>api.job_attempts</c>), kept from the <c>JobStateChanged</c> events that carry its number.</summary>
public sealed class JobAttempt
{
    public long JobNumber { get; set; }

    public int Attempt { get; set; }

    public required string State { get; set; }

    /// <summary>Sequence of the last change applied to <see cref="State"/>, so a late event cannot undo a newer one.</summary>
    public int Sequence { get; set; }

    public string? Destination { get; set; }

    public DateTimeOffset? DispatchedAt { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public string? Outcome { get; set; }

    public int? ExitCode { get; set; }

    public string? Error { get; set; }
}
