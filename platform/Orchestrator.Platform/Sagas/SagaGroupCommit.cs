using System.Data;
using System.Diagnostics;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Platform.Hosting;
using Orchestrator.Platform.Messaging;
using Orchestrator.Platform.Persistence;

namespace Orchestrator.Platform.Sagas;

/// <summary>
/// Handles the saga messages that arrive together in one transaction: one inbox statement, one locking read of every
/// instance, the saga run on each message in turn, then one save and one commit for all. Under load that replaces
/// five round trips and a commit per message with as many per batch; alone, a message costs what it did.
/// <para>
/// A batch never holds two messages of one instance, so each message sees its instance as the previous one left it.
/// When a batch fails, each of its messages is tried again in a transaction of its own, so only the message at fault
/// fails (and goes to MassTransit's retry), as it would have on its own.
/// </para>
/// </summary>
public sealed class SagaGroupCommit<TSaga, TDbContext>
    where TSaga : class, ISaga
    where TDbContext : DbContext
{
    static readonly string ConsumerName = $"saga:{typeof(TSaga).Name}";

    readonly IServiceScopeFactory _scopeFactory;
    readonly OrchestratorMetrics? _metrics;
    readonly GroupCommitQueue<SagaWork<TSaga>, Guid> _queue;
    string? _selectForUpdate;

    public SagaGroupCommit(IServiceScopeFactory scopeFactory, SagaBatchOptions options, OrchestratorMetrics? metrics = null)
    {
        _scopeFactory = scopeFactory;
        _metrics = metrics;
        _queue = new(w => w.CorrelationId, options.MaxBatchSize, options.Writers, CommitEachAsync, (w, ex) => w.Fail(ex));
    }

    /// <summary>Queues <paramref name="work"/>; the task ends when its transaction committed.</summary>
    public Task SubmitAsync(SagaWork<TSaga> work)
    {
        _queue.Enqueue(work);
        return work.Completion;
    }

    async Task CommitEachAsync(List<SagaWork<TSaga>> batch)
    {
        try
        {
            await CommitAsync(batch);
            foreach (var work in batch)
                work.Complete();
            return;
        }
        catch (Exception ex) when (batch.Count == 1)
        {
            batch[0].Fail(ex);
            return;
        }
        catch (Exception)
        {
            // Which message failed is unknown, and one failure aborted the whole transaction: each gets one of its own.
        }

        foreach (var work in batch)
        {
            try
            {
                await CommitAsync([work]);
                work.Complete();
            }
            catch (Exception ex)
            {
                work.Fail(ex);
            }
        }
    }

    /// <summary>
    /// One transaction for <paramref name="batch"/>. A message alone keeps its own span around the statements; a batch
    /// gets a span of its own, linked to each message's.
    /// </summary>
    Task CommitAsync(IReadOnlyList<SagaWork<TSaga>> batch) =>
        batch.Count == 1 ? batch[0].RunInOwnContext(() => CommitCoreAsync(batch)) : CommitLinkedAsync(batch);

    async Task CommitLinkedAsync(IReadOnlyList<SagaWork<TSaga>> batch)
    {
        var links = batch.Where(w => w.Span is not null).Select(w => new ActivityLink(w.Span!.Value));
        using var activity = MessagingTelemetry.Source.StartActivity("saga batch", ActivityKind.Internal, parentContext: default, links: links);
        activity?.SetTag("orchestrator.batch_size", batch.Count);
        await CommitCoreAsync(batch);
    }

    async Task CommitCoreAsync(IReadOnlyList<SagaWork<TSaga>> batch)
    {
        await using var scope = _scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        await using (var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted))
        {
            var fresh = await db.RegisterAllAsync(batch.Select(w => w.MessageId), ConsumerName, CancellationToken.None);
            var live = batch.Where(w => w.MessageId is not { } id || fresh.Contains(id)).ToList();
            if (live.Count > 0)
            {
                var ids = live.Select(w => w.CorrelationId).ToArray();
                var found = await db.Set<TSaga>()
                    .FromSqlRaw(SelectForUpdate(db), ids)
                    .ToDictionaryAsync(s => s.CorrelationId);
                var deferred = new DeferredStatements();
                foreach (var work in live)
                    await work.RunAsync(db, found.GetValueOrDefault(work.CorrelationId), deferred);

                await deferred.FlushAsync(db, CancellationToken.None);
                await db.SaveChangesAsync();
            }

            await transaction.CommitAsync();
        }

        _metrics?.SagaBatch(typeof(TSaga).Name, batch.Count);
    }

    string SelectForUpdate(DbContext db)
    {
        if (_selectForUpdate is not null)
            return _selectForUpdate;
        var entity = db.Model.FindEntityType(typeof(TSaga))!;
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var key = entity.FindPrimaryKey()!.Properties.Single().GetColumnName(table);
        // Rows are locked in key order whatever the order of the ids, so two batches cannot deadlock on each other.
        return _selectForUpdate =
            $"SELECT {db.ColumnsOf<TSaga>()} FROM {db.TableOf<TSaga>()} WHERE \"{key}\" = ANY({{0}}) ORDER BY \"{key}\" FOR UPDATE";
    }
}
