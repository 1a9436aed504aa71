namespace Orchestrator.Api.Callbacks;

/// <summary>
/// One CloudEvent to POST to a job's callback URL (<c>api.callback_deliveries</c>). Written in the transaction that
/// applies the job's state change, so no event is lost to a restart; a job's deliveries go out in sequence order.
/// </summary>
public sealed class CallbackDelivery
{
    public long Id { get; set; }

    public long JobNumber { get; set; }

    /// <summary>The sequence of the state change that raised the event: a job's events are sent in this order.</summary>
    public int Sequence { get; set; }

    public required string Event { get; set; }

    public required string Service { get; set; }

    public required string Url { get; set; }

    /// <summary>The CloudEvent exactly as sent and signed.</summary>
    public required string Body { get; set; }

    public required string State { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public int? LastStatus { get; set; }

    public string? LastError { get; set; }
}
