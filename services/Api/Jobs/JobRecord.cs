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

    public DateTimeOffset? CancelledAt { get; set; }

    public DateTimeOffset? TimedOutAt { get; set; }

    /// <summary>The id the client chose at <c>POST /v1/jobs</c>; unique, never all digits (those are numbers).</summary>
    public string? ClientId { get; set; }

    /// <summary>The <c>Idempotency-Key</c> the job was created under; a retry with it returns this job.</summary>
    public string? IdempotencyKey { get; set; }

    /// <summary>Hash of the normalised request, to tell a harmless repeat from a different job under the same id.</summary>
    public string? RequestHash { get; set; }

    public int? TimeoutSeconds { get; set; }

    public Dictionary<string, string>? Environment { get; set; }

    public string? CallbackUrl { get; set; }

    /// <summary>The callback events the client asked for (<see cref="Callbacks.CallbackEvents"/>).</summary>
    public List<string>? CallbackEvents { get; set; }

    public DateTimeOffset? CancelRequestedAt { get; set; }

    /// <summary>
    /// Who submitted the job: the name of the API key (a portal's name), <c>anonymous</c> for loopback without keys,
    /// <c>bus</c> for <c>SubmitJob</c>. A portal key sees the jobs its name owns.
    /// </summary>
    public string? Owner { get; set; }

    /// <summary>The id of the job in <c>/v1</c> URLs and views: the client's id when it chose one, else the number.</summary>
    public string PublicId => ClientId ?? Number.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
