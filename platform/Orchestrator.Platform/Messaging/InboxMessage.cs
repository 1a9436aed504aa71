namespace Orchestrator.Platform.Messaging;

/// <summary>
/// Remembers that a consumer has handled a message, in the same transaction as its effects, so a redelivered
/// message (the broker's at-least-once delivery, an outbox resend after a crash) has no effect the second time.
/// </summary>
public sealed class InboxMessage
{
    public Guid MessageId { get; set; }

    public required string Consumer { get; set; }

    public DateTimeOffset ProcessedAt { get; set; }
}
