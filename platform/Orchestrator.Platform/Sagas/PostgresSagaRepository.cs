using System.Data;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Platform.Messaging;

namespace Orchestrator.Platform.Sagas;

/// <summary>
/// Saga repository on EF Core + PostgreSQL. Each message is handled in one transaction that locks the instance row
/// (<c>SELECT … FOR UPDATE</c>), so two events of one saga never interleave; the instance, the inbox entry and the
/// messages the saga publishes commit together. Two concurrent creations of one instance collide on the primary
/// key: the loser fails and its retry finds the instance.
/// </summary>
public sealed class PostgresSagaRepository<TSaga, TDbContext>(IServiceScopeFactory scopeFactory, OutboxSignal signal)
    : ISagaRepository<TSaga>
    where TSaga : class, ISaga
    where TDbContext : DbContext
{
    static readonly string ConsumerName = $"saga:{typeof(TSaga).Name}";

    string? _selectForUpdate;

    public void Probe(ProbeContext context) =>
        context.CreateScope("sagaRepository").Add("persistence", "postgresql");

    public async Task Send<T>(ConsumeContext<T> context, ISagaPolicy<TSaga, T> policy, IPipe<SagaConsumeContext<TSaga, T>> next)
        where T : class
    {
        if (context.CorrelationId is not { } correlationId)
            throw new SagaException("The message carries no CorrelationId", typeof(TSaga), typeof(T));

        MessagingTelemetry.TagJob(correlationId);
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var cancellationToken = context.CancellationToken;

        await using (var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken))
        {
            if (await db.TryRegisterAsync(context.MessageId, ConsumerName, cancellationToken))
            {
                var found = await db.Set<TSaga>()
                    .FromSqlRaw(SelectForUpdate(db), correlationId)
                    .ToListAsync(cancellationToken);

                if (found.Count == 1)
                {
                    var sagaContext = new TransactionalSagaConsumeContext<TSaga, T>(context, db, found[0]);
                    await policy.Existing(sagaContext, next);
                    if (sagaContext.IsCompleted)
                        db.Remove(found[0]);
                }
                else
                {
                    await policy.Missing(context, new MissingInstancePipe<T>(db, context, next));
                }

                await db.SaveChangesAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }

        signal.Notify();
    }

    public Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<TSaga> query, ISagaPolicy<TSaga, T> policy, IPipe<SagaConsumeContext<TSaga, T>> next)
        where T : class =>
        throw new NotSupportedException($"{typeof(TSaga).Name} events must correlate by id.");

    string SelectForUpdate(DbContext db)
    {
        if (_selectForUpdate is not null)
            return _selectForUpdate;
        var entity = db.Model.FindEntityType(typeof(TSaga))!;
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var key = entity.FindPrimaryKey()!.Properties.Single().GetColumnName(table);
        return _selectForUpdate = $"SELECT {db.ColumnsOf<TSaga>()} FROM {db.TableOf<TSaga>()} WHERE \"{key}\" = {{0}} FOR UPDATE";
    }

    /// <summary>Receives the instance the policy created and runs the saga on it within the open transaction.</summary>
    sealed class MissingInstancePipe<T>(DbContext db, ConsumeContext<T> context, IPipe<SagaConsumeContext<TSaga, T>> next)
        : IPipe<SagaConsumeContext<TSaga, T>>
        where T : class
    {
        public void Probe(ProbeContext probe) => next.Probe(probe);

        public async Task Send(SagaConsumeContext<TSaga, T> created)
        {
            var sagaContext = new TransactionalSagaConsumeContext<TSaga, T>(context, db, created.Saga);
            await next.Send(sagaContext);
            if (!sagaContext.IsCompleted)
                db.Add(created.Saga);
        }
    }
}
