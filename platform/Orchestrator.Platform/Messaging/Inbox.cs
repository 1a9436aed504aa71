using Microsoft.EntityFrameworkCore;

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
}
