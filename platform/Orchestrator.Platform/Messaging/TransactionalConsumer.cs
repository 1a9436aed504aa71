using System.Data;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Orchestrator.Platform.Persistence;

namespace Orchestrator.Platform.Messaging;

/// <summary>
/// Base for consumers whose effects live in PostgreSQL: the handler's changes, the inbox entry and every message it
/// publishes or sends commit together, and a redelivered message is skipped.
/// </summary>
public abstract class TransactionalConsumer<TDbContext, TMessage>(TDbContext db) : IConsumer<TMessage>
    where TDbContext : DbContext
    where TMessage : class
{
    protected TDbContext Db { get; } = db;

    public async Task Consume(ConsumeContext<TMessage> context)
    {
        await using (var transaction = await Db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, context.CancellationToken))
        {
            if (await Db.TryRegisterAsync(context.MessageId, GetType().Name, context.CancellationToken))
            {
                var deferred = new DeferredStatements();
                await Handle(new TransactionalConsumeContext<TMessage>(context, Db, deferred));
                await deferred.FlushAsync(Db, context.CancellationToken);
                await Db.SaveChangesAsync(context.CancellationToken);
            }

            await transaction.CommitAsync(context.CancellationToken);
        }
    }

    protected abstract Task Handle(TransactionalConsumeContext<TMessage> context);
}
