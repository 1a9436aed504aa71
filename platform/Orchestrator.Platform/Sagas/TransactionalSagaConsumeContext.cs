using MassTransit;
using Microsoft.EntityFrameworkCore;
using Orchestrator.Platform.Messaging;
using Orchestrator.Platform.Persistence;

namespace Orchestrator.Platform.Sagas;

/// <summary>The saga's view of a message: its instance, plus publishes that join the repository's transaction.</summary>
public sealed class TransactionalSagaConsumeContext<TSaga, TMessage>(
    ConsumeContext<TMessage> context, DbContext db, TSaga saga, DeferredStatements? deferred = null)
    : TransactionalConsumeContext<TMessage>(context, db, deferred), SagaConsumeContext<TSaga, TMessage>
    where TSaga : class, ISaga
    where TMessage : class
{
    public TSaga Saga { get; } = saga;

    public bool IsCompleted { get; private set; }

    public override Guid? CorrelationId => Saga.CorrelationId;

    public Task SetCompleted()
    {
        IsCompleted = true;
        return Task.CompletedTask;
    }
}
