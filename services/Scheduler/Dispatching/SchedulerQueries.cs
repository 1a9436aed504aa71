using Microsoft.EntityFrameworkCore;
using Orchestrator.Platform.Messaging;
using Orchestrator.Platform.Persistence;
using Orchestrator.Scheduler.Persistence;

namespace Orchestrator.Scheduler.Dispatching;

/// <summary>The reads a dispatch pass starts from, shared with the queue overview so both see the queue alike.</summary>
public static class SchedulerQueries
{
    /// <summary>The slots held now; their number is bounded by the capacities, not by the queue.</summary>
    public static async Task<SlotUsage> SlotUsageAsync(this SchedulerDbContext db, CancellationToken cancellationToken)
    {
        var usage = new SlotUsage();
        foreach (var active in await db.ActiveJobs.AsNoTracking().ToListAsync(cancellationToken))
            usage.Add(active.Service, active.UserId, active.Destination);
        return usage;
    }

    /// <summary>
    /// The fair-share accounts of <paramref name="users"/> only: an account is kept for every user ever served, so
    /// reading a whole service's would grow with its history. Not tracked: a pass charges a batch's worth of users at
    /// most, and attaches just those.
    /// </summary>
    public static Task<List<FairShareAccount>> AccountsOfAsync(
        this SchedulerDbContext db, IReadOnlyCollection<(string Service, int UserId)> users, CancellationToken cancellationToken)
    {
        var services = users.Select(u => u.Service).ToArray();
        var userIds = users.Select(u => u.UserId).ToArray();
        // Columns by name, as every statement written here: a prepared "a.*" breaks when a migration adds a column.
        var sql = $$"""
            SELECT {{db.ColumnsOf<FairShareAccount>("a")}} FROM {{db.TableOf<FairShareAccount>()}} a
            JOIN unnest({0}::text[], {1}::integer[]) AS u(service, user_id)
              ON a.service = u.service AND a.user_id = u.user_id
            """;
        return db.FairShareAccounts.FromSqlRaw(sql, services, userIds).AsNoTracking().ToListAsync(cancellationToken);
    }

    /// <summary>
    /// The oldest <c>Count</c> queued jobs of each (service, user), all in one statement (one index range each), tracked
    /// so a pass can take them off the queue.
    /// </summary>
    public static Task<List<QueuedJob>> OldestJobsOfAsync(
        this SchedulerDbContext db, IReadOnlyCollection<(string Service, int UserId, int Count)> users, CancellationToken cancellationToken)
    {
        var sql = $$"""
            SELECT {{db.ColumnsOf<QueuedJob>("q")}}
            FROM unnest({0}::text[], {1}::integer[], {2}::integer[]) AS u(service, user_id, n)
            CROSS JOIN LATERAL (
                SELECT * FROM {{db.TableOf<QueuedJob>()}} j
                WHERE j.service = u.service AND j.user_id = u.user_id
                ORDER BY j.sequence
                LIMIT u.n) q
            """;
        return db.QueuedJobs
            .FromSqlRaw(sql, users.Select(u => u.Service).ToArray(), users.Select(u => u.UserId).ToArray(), users.Select(u => u.Count).ToArray())
            .ToListAsync(cancellationToken);
    }

    /// <summary>The distinct (service, user) pairs of the queue, one index descent each, as the CTE <c>waiting</c>.</summary>
    const string WaitingCte = """
        waiting AS (
            (SELECT service, user_id FROM scheduler.queued_jobs ORDER BY service, user_id LIMIT 1)
            UNION ALL
            SELECT next.service, next.user_id
            FROM waiting w
            CROSS JOIN LATERAL (
                SELECT q.service, q.user_id FROM scheduler.queued_jobs q
                WHERE (q.service, q.user_id) > (w.service, w.user_id)
                ORDER BY q.service, q.user_id
                LIMIT 1) next
        )
        """;

    /// <summary>
    /// When the oldest job now queued in each service was queued: the first job of each waiting user, found by the same
    /// skip scan as <see cref="WaitingUsersAsync"/>, so one index descent per waiting user.
    /// </summary>
    public static async Task<Dictionary<string, DateTimeOffset>> OldestQueuedAsync(this SchedulerDbContext db, CancellationToken cancellationToken)
    {
        const string sql = $"""
            WITH RECURSIVE {WaitingCte}
            SELECT w.service, min(first.enqueued_at)
            FROM waiting w
            CROSS JOIN LATERAL (
                SELECT q.enqueued_at FROM scheduler.queued_jobs q
                WHERE q.service = w.service AND q.user_id = w.user_id
                ORDER BY q.sequence
                LIMIT 1) first
            GROUP BY w.service
            """;
        await using var command = db.CreateCommand(sql);
        var oldest = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            oldest[reader.GetString(0)] = reader.GetFieldValue<DateTimeOffset>(1);
        return oldest;
    }

    /// <summary>
    /// The users with queued jobs, read from the queue's (service, user, sequence) index by a skip scan: one index
    /// descent per waiting user, and each count stops at <paramref name="countUpTo"/>, so the cost follows the number of
    /// waiting users, never the number of queued jobs.
    /// </summary>
    public static async Task<List<WaitingUser>> WaitingUsersAsync(this SchedulerDbContext db, int countUpTo, CancellationToken cancellationToken)
    {
        const string sql = $"""
            WITH RECURSIVE {WaitingCte}
            SELECT w.service, w.user_id,
                   (SELECT count(*) FROM (
                        SELECT 1 FROM scheduler.queued_jobs q
                        WHERE q.service = w.service AND q.user_id = w.user_id
                        LIMIT @count_up_to) c)::int
            FROM waiting w
            """;
        await using var command = db.CreateCommand(sql);
        command.Parameters.AddWithValue("count_up_to", countUpTo);

        var waiting = new List<WaitingUser>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            waiting.Add(new WaitingUser(reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2)));
        return waiting;
    }
}
