using MassTransit;
using MassTransit.Context;
using Microsoft.EntityFrameworkCore;
using Orchestrator.Platform.Persistence;

namespace Orchestrator.Platform.Messaging;

/// <summary>
/// A consume context whose publishes, sends and schedules are written to the outbox of <see cref="Db"/> rather than
/// the broker, so they take effect exactly when the consumer's transaction commits.
/// </summary>
public class TransactionalConsumeContext<TMessage> : ConsumeContextProxy<TMessage>
    where TMessage : class
{
    readonly ConsumeContext<TMessage> _context;

    public TransactionalConsumeContext(ConsumeContext<TMessage> context, DbContext db, DeferredStatements? deferred = null)
        : base(context)
    {
        _context = context;
        Db = db;
        Deferred = deferred;

        // Contexts built on this one (a state machine's behavior context) publish through the receive context's
        // providers, past the overrides below: without this, a saga's Publish and Send would skip the outbox.
        ReceiveContext = new OutboxReceiveContext(context.ReceiveContext, new OutboxEndpointProvider(this, db));
    }

    public DbContext Db { get; }

    /// <summary>Statements the handler may leave to the end of the transaction, shared by every message it handles.</summary>
    public DeferredStatements? Deferred { get; }

    public override Task<ISendEndpoint> GetSendEndpoint(Uri address) =>
        Task.FromResult<ISendEndpoint>(new OutboxSendEndpoint(this, Db, address));

    protected override Task<ISendEndpoint> GetPublishSendEndpoint<T>() =>
        Task.FromResult<ISendEndpoint>(new OutboxSendEndpoint(this, Db, destination: null));

    public override bool TryGetPayload<T>(out T payload)
    {
        // Activities (a state machine's, say) reach the transaction's DbContext as a payload to write beside it.
        if (typeof(T) == typeof(DbContext))
        {
            payload = (T)(object)Db;
            return true;
        }

        if (typeof(T) == typeof(DeferredStatements) && Deferred is not null)
        {
            payload = (T)(object)Deferred;
            return true;
        }

        // The scheduler payload was created for the outer context and would send through it, past the outbox;
        // rebuild it around this context so ScheduleSend lands in the same transaction.
        if (typeof(T) == typeof(MessageSchedulerContext)
            && _context.TryGetPayload(out MessageSchedulerContext? scheduler))
        {
            payload = (T)(object)new ConsumeMessageSchedulerContext(this, scheduler.SchedulerFactory);
            return true;
        }

        return base.TryGetPayload(out payload!);
    }
}
