using MassTransit;
using Orchestrator.IntegrationTests.Platform.Support.Messages;
using Orchestrator.Platform.Messaging;

namespace Orchestrator.IntegrationTests.Platform.Support;

/// <summary>Cancels a schedule through the consume context's scheduler, as a saga would on a timeout it no longer needs.</summary>
public sealed class CancelReminderConsumer(PlatformTestDbContext db, FaultInjector faults)
    : TransactionalConsumer<PlatformTestDbContext, CancelReminder>(db)
{
    public static string FaultKey(Guid tokenId) => $"cancel:{tokenId:N}";

    protected override async Task Handle(TransactionalConsumeContext<CancelReminder> context)
    {
        var scheduler = context.GetPayload<MessageSchedulerContext>();
        await scheduler.CancelScheduledSend(TestQueues.Address(TestQueues.Reminders), context.Message.TokenId, context.CancellationToken);
        faults.ThrowIfFailing(FaultKey(context.Message.TokenId));
    }
}
