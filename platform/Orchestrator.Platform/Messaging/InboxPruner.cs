using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchestrator.Platform.Persistence;

namespace Orchestrator.Platform.Messaging;

/// <summary>
/// Deletes inbox entries older than the retention. Every handled message leaves one entry per consumer (four or more
/// per job), so without this the inbox grows with the whole history: storage, index size and vacuum work all follow
/// the number of jobs ever run rather than the recent traffic. Entries are taken oldest first through the
/// <c>processed_at</c> index, a batch per transaction, so a pass costs what it deletes, whatever the size of the table.
/// Instances of a service share the work through <c>SKIP LOCKED</c>.
/// </summary>
public sealed class InboxPruner<TDbContext>(
    IServiceScopeFactory scopeFactory,
    IOptions<InboxOptions> options,
    ILogger<InboxPruner<TDbContext>> logger) : BackgroundService
    where TDbContext : DbContext
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var pruned = await PruneAsync(DateTimeOffset.UtcNow - options.Value.Retention, stoppingToken);
                if (pruned > 0)
                    logger.LogInformation("Pruned {Count} inbox entries older than {Retention}", pruned, options.Value.Retention);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // What is left is taken at the next pass; a failed pass loses nothing.
                logger.LogWarning(ex, "Inbox pruning failed; trying again in {Interval}", options.Value.PruneInterval);
            }

            try
            {
                await Task.Delay(options.Value.PruneInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Deletes the entries processed before <paramref name="cutoff"/>, a batch at a time; returns how many.</summary>
    public async Task<long> PruneAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var table = db.TableOf<InboxMessage>();
        var sql = $$"""
            DELETE FROM {{table}} WHERE ctid = ANY(ARRAY(
                SELECT ctid FROM {{table}} WHERE processed_at < {0}
                ORDER BY processed_at LIMIT {1} FOR UPDATE SKIP LOCKED))
            """;
        var batchSize = options.Value.PruneBatchSize;
        long total = 0;
        int deleted;
        do
        {
            // Each statement is a transaction of its own.
            deleted = await db.Database.ExecuteSqlRawAsync(sql, [cutoff, batchSize], cancellationToken);
            total += deleted;
        }
        while (deleted == batchSize);
        return total;
    }
}
