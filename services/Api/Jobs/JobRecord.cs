namespace Orchestrator.Api.Jobs;

/// <summary>The Api's view of a job (<c>api.jobs</c>): written at upload, then kept up to date from
/// <c>JobStateChanged</c> events.</summary>
public sealed class JobRecord
{
    /// <summary>The small integer users type; also the route id of <c>/download/{id}</c>.</summary>
    public long Number { get; set; }

    public Guid JobId { get; set; }

    public int UserId { get; set; }

    public required string Service { get; set; }

    public required string State { get; set; }

    /// <summary>Sequence of the last applied state change; older or repeated events are not applied.</summary>
    public int Sequence { get; set; }

    public required string Directory { get; set; }

    public string? Destination { get; set; }

    public int? ExitCode { get; set; }

    public string? Error { get; set; }

    public DateTimeOffset SubmittedAt { get; set; }

    public DateTimeOffset? QueuedAt { get; set; }

    public DateTimeOffset? DispatchedAt { get; set; }

    public DateTimeOffset? RunningAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    public DateTimeOffset? FailedAt { get; set; }

    public DateTimeOffset? CleanedAt { get; set; }
}
