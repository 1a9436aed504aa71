using Microsoft.EntityFrameworkCore;
using Orchestrator.Platform.Persistence;

namespace Orchestrator.Platform.Messaging;

/// <summary>Deduplicates deliveries inside the consumer's own transaction.</summary>
public static class Inbox
{
    /// <summary>
    /// Records that <paramref name="consumer"/> handles <paramref name="messageId"/>; false when it already did. A second
    /// delivery racing the first blocks on the row until the first commits, then sees it.
    /// </summary>
    public static async Task<bool> TryRegisterAsync(
        this DbContext db, Guid? messageId, string consumer, CancellationToken cancellationToken)
    {
        if (messageId is null)
            return true;
        var insert = $"INSERT INTO {db.TableOf<InboxMessage>()} (message_id, consumer, processed_at) VALUES ({{0}}, {{1}}, now()) ON CONFLICT DO NOTHING";
        var inserted = await db.Database.ExecuteSqlRawAsync(insert, [messageId.Value, consumer], cancellationToken);
        return inserted == 1;
    }

    /// <summary>
    /// Records a batch of deliveries in one statement; returns the ids <paramref name="consumer"/> had not handled yet.
    /// Must run inside the consumer's transaction, like <see cref="TryRegisterAsync"/>.
    /// </summary>
    public static async Task<HashSet<Guid>> RegisterAllAsync(
        this DbContext db, IEnumerable<Guid?> messageIds, string consumer, CancellationToken cancellationToken)
    {
        var ids = messageIds.OfType<Guid>().Distinct().ToArray();
        var fresh = new HashSet<Guid>();
        if (ids.Length == 0)
            return fresh;

        await using var command = db.CreateCommand(
            $"INSERT INTO {db.TableOf<InboxMessage>()} (message_id, consumer, processed_at) SELECT id, @consumer, now() FROM unnest(@ids) AS id ON CONFLICT DO NOTHING RETURNING message_id");
        command.Parameters.AddWithValue("ids", ids);
        command.Parameters.AddWithValue("consumer", consumer);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            fresh.Add(reader.GetGuid(0));
        return fresh;
    }
}
