using MassTransit;
using Microsoft.EntityFrameworkCore;
using Orchestrator.Platform.Persistence;

namespace Orchestrator.Platform.Sagas;

/// <summary>A message of type <typeparamref name="TMessage"/> for the saga, with the pipe MassTransit runs it through.</summary>
public sealed class SagaMessageWork<TSaga, TMessage>(
    Guid correlationId,
    ConsumeContext<TMessage> context,
    ISagaPolicy<TSaga, TMessage> policy,
    IPipe<SagaConsumeContext<TSaga, TMessage>> next)
    : SagaWork<TSaga>(correlationId, context.MessageId)
    where TSaga : class, ISaga
    where TMessage : class
{
    protected override async Task RunCoreAsync(DbContext db, TSaga? instance, DeferredStatements deferred)
    {
        if (instance is not null)
        {
            var sagaContext = new TransactionalSagaConsumeContext<TSaga, TMessage>(context, db, instance, deferred);
            await policy.Existing(sagaContext, next);
            if (sagaContext.IsCompleted)
                db.Remove(instance);
        }
        else
        {
            await policy.Missing(context, new MissingInstancePipe(db, deferred, context, next));
        }
    }

    /// <summary>Receives the instance the policy created and runs the saga on it within the open transaction.</summary>
    sealed class MissingInstancePipe(
        DbContext db, DeferredStatements deferred, ConsumeContext<TMessage> context, IPipe<SagaConsumeContext<TSaga, TMessage>> next)
        : IPipe<SagaConsumeContext<TSaga, TMessage>>
    {
        public void Probe(ProbeContext probe) => next.Probe(probe);

        public async Task Send(SagaConsumeContext<TSaga, TMessage> created)
        {
            var sagaContext = new TransactionalSagaConsumeContext<TSaga, TMessage>(context, db, created.Saga, deferred);
            await next.Send(sagaContext);
            if (!sagaContext.IsCompleted)
                db.Add(created.Saga);
        }
    }
}
