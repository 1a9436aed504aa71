using MassTransit.Scheduling;
using Microsoft.EntityFrameworkCore;
using Orchestrator.Platform.Messaging;

namespace Orchestrator.Platform.Scheduling;

/// <summary>Removes a pending schedule named by its token; cancelling one already sent or unknown is harmless.</summary>
public sealed class CancelScheduledMessageConsumer<TDbContext>(TDbContext db)
    : TransactionalConsumer<TDbContext, CancelScheduledMessage>(db)
    where TDbContext : DbContext
{
    protected override Task Handle(TransactionalConsumeContext<CancelScheduledMessage> context) =>
        Db.Set<ScheduledMessage>()
            .Where(m => m.TokenId == context.Message.TokenId)
            .ExecuteDeleteAsync(context.CancellationToken);
}
