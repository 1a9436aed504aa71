using System.Diagnostics;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace Orchestrator.Platform.Messaging;

/// <summary>
/// Outbox rows for code that writes with plain SQL rather than through the change tracker: the row is made the same
/// way as <see cref="OutboxDbContextExtensions.AddOutboxMessage"/> makes it, and inserted by a statement that can go
/// into the same batch as the state change it belongs to. Once that commits, the writer hands the row to
/// <see cref="OutboxSignal.Committed"/> itself: the commit interceptor only sees rows saved through the tracker.
/// </summary>
public static class OutboxMessages
{
    public static OutboxMessage Publish<T>(T message, Guid? correlationId = null)
        where T : class =>
        Create(message, typeof(T), destination: null, correlationId);

    public static OutboxMessage Create(
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
        return new OutboxMessage
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
    }

    /// <summary>
    /// The INSERT of <paramref name="row"/> into <paramref name="db"/>'s outbox, for a batch of the caller's. It returns
    /// the row's sequence number, which the caller sets on the row before handing it over.
    /// </summary>
    public static NpgsqlBatchCommand InsertCommand(this DbContext db, OutboxMessage row) =>
        new($"""
            INSERT INTO {db.TableOf<OutboxMessage>()} (message_id, destination_address, message_type, body, correlation_id,
                conversation_id, initiator_id, trace_parent, headers, created_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            RETURNING sequence_number
            """)
        {
            Parameters =
            {
                new() { Value = row.MessageId },
                new() { Value = (object?)row.DestinationAddress ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text },
                new() { Value = row.MessageType },
                new() { Value = row.Body, NpgsqlDbType = NpgsqlDbType.Jsonb },
                new() { Value = (object?)row.CorrelationId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid },
                new() { Value = (object?)row.ConversationId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid },
                new() { Value = (object?)row.InitiatorId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid },
                new() { Value = (object?)row.TraceParent ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text },
                new() { Value = (object?)row.Headers ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Jsonb },
                new() { Value = row.CreatedAt },
            },
        };
}
