using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Orchestrator.Platform.Persistence;

namespace Orchestrator.Platform.Messaging;

/// <summary>
/// Notes the outbox rows each save adds and hands them to <see cref="OutboxSignal"/> once they are committed: when
/// the save's own transaction commits, or at once for a save outside any transaction. A row handed over that never
/// committed after all does no harm: the dispatcher only delivers the rows it finds, and deletes, in the table.
/// </summary>
public sealed class OutboxCommitInterceptor(OutboxSignal signal) : SaveChangesInterceptor, IDbTransactionInterceptor
{
    readonly ConditionalWeakTable<DbContext, List<OutboxMessage>> _pending = new();

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Note(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Note(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        HandOverIfCommitted(eventData.Context);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(
        SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        HandOverIfCommitted(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => HandOverIfCommitted(eventData.Context, failed: true);

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        HandOverIfCommitted(eventData.Context, failed: true);
        return Task.CompletedTask;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => HandOver(eventData.Context);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        HandOver(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Forget(eventData.Context);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) => Forget(eventData.Context);

    public Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    void Note(DbContext? db)
    {
        if (db is null)
            return;
        var added = db.ChangeTracker.AddedEntries<OutboxMessage>();
        if (added.Count > 0)
            _pending.GetValue(db, _ => []).AddRange(added.Select(e => e.Entity));
    }

    void HandOverIfCommitted(DbContext? db, bool failed = false)
    {
        if (db is null || db.Database.CurrentTransaction is not null)
            return;
        if (failed)
            Forget(db);
        else
            HandOver(db);
    }

    void HandOver(DbContext? db)
    {
        if (db is null || !_pending.TryGetValue(db, out var rows))
            return;
        _pending.Remove(db);
        signal.Committed(rows);
    }

    void Forget(DbContext? db)
    {
        if (db is not null)
            _pending.Remove(db);
    }
}
