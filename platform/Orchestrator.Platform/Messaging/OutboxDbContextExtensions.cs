using System.Diagnostics;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Orchestrator.Platform.Messaging;

/// <summary>Adds messages to a DbContext's outbox; they reach the broker only if <c>SaveChanges</c> commits.</summary>
public static class OutboxDbContextExtensions
{
    public static OutboxMessage AddOutboxPublish<T>(this DbContext db, T message, Guid? correlationId = null)
        where T : class =>
        db.AddOutboxMessage(message, typeof(T), destination: null, correlationId);

    public static OutboxMessage AddOutboxSend<T>(this DbContext db, Uri destination, T message, Guid? correlationId = null)
        where T : class =>
        db.AddOutboxMessage(message, typeof(T), destination, correlationId);

    public static OutboxMessage AddOutboxMessage(
        this DbContext db,
        object message,
        Type messageType,
        Uri? destination,
        Guid? correlationId = null,
        Guid? conversationId = null,
        Guid? initiatorId = null,
        IReadOnlyDictionary<string, string>? headers = null,
        Guid? messageId = null)
    {
        // An interface-typed send would be rebuilt from a JSON object with no type to create: store what was sent.
        var type = messageType.IsInterface || messageType.IsAbstract ? message.GetType() : messageType;
        var row = new OutboxMessage
        {
            MessageId = messageId ?? NewId.NextGuid(),
            DestinationAddress = destination?.ToString(),
            MessageType = MessageBodySerializer.TypeName(type),
            Body = MessageBodySerializer.Serialize(message, type),
            CorrelationId = correlationId,
            ConversationId = conversationId,
            InitiatorId = initiatorId,
            TraceParent = Activity.Current?.Id,
            Headers = headers is { Count: > 0 } ? MessageBodySerializer.SerializeHeaders(headers) : null,
            CreatedAt = DateTimeOffset.UtcNow,
            Message = message,
            MessageClrType = type,
        };
        db.Set<OutboxMessage>().Add(row);
        return row;
    }
}
