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
        var row = OutboxMessages.Create(message, messageType, destination, correlationId, conversationId, initiatorId, headers, messageId);
        db.Set<OutboxMessage>().Add(row);
        return row;
    }
}
