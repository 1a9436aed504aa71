using MassTransit;
using MassTransit.Context;
using Microsoft.EntityFrameworkCore;

namespace Orchestrator.Platform.Messaging;

/// <summary>
/// A consume context whose publishes, sends and schedules are written to <paramref name="db"/>'s outbox rather than
/// the broker, so they take effect exactly when the consumer's transaction commits.
/// </summary>
public class TransactionalConsumeContext<TMessage>(ConsumeContext<TMessage> context, DbContext db)
    : ConsumeContextProxy<TMessage>(context)
    where TMessage : class
{
    readonly ConsumeContext<TMessage> _context = context;

    public DbContext Db { get; } = db;

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
