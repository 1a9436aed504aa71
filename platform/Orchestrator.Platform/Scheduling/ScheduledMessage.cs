namespace Orchestrator.Platform.Scheduling;

/// <summary>A message to be sent when due; a row outlives restarts of every service.</summary>
public sealed class ScheduledMessage
{
    /// <summary>The scheduling token: <c>CancelScheduledMessage</c> names it, the delivered message carries it.</summary>
    public Guid TokenId { get; set; }

    public DateTimeOffset DueAt { get; set; }

    public required string DestinationAddress { get; set; }

    public required string MessageType { get; set; }

    public required string Body { get; set; }

    public Guid? CorrelationId { get; set; }

    public string? TraceParent { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
