namespace Orchestrator.Platform.Messaging;

/// <summary>
/// A message written in the same transaction as the state change that caused it, delivered to the broker afterwards
/// by <see cref="OutboxDispatcher{TDbContext}"/>.
/// </summary>
public sealed class OutboxMessage
{
    public long SequenceNumber { get; set; }

    /// <summary>Kept on delivery so that a redelivery after a crash is recognised by the receiver's inbox.</summary>
    public Guid MessageId { get; set; }

    /// <summary>Null for a publish; the send address otherwise.</summary>
    public string? DestinationAddress { get; set; }

    /// <summary>CLR type, as "Full.Name, Assembly", the body is deserialised into.</summary>
    public required string MessageType { get; set; }

    public required string Body { get; set; }

    public Guid? CorrelationId { get; set; }

    public Guid? ConversationId { get; set; }

    public Guid? InitiatorId { get; set; }

    /// <summary>W3C traceparent of the activity that wrote the message, so the trace continues across the outbox.</summary>
    public string? TraceParent { get; set; }

    /// <summary>Extra headers set by the sender (JSON object of strings).</summary>
    public string? Headers { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// The message itself, while the row is still in the memory of the process that wrote it; not stored. The
    /// dispatcher then sends it as it is instead of reading <see cref="Body"/> back.
    /// </summary>
    public object? Message { get; set; }

    /// <summary>The type <see cref="Message"/> was written as; not stored.</summary>
    public Type? MessageClrType { get; set; }
}
