using MassTransit;
using Orchestrator.IntegrationTests.Platform.Support.Messages;
using Orchestrator.Platform.Messaging;

namespace Orchestrator.IntegrationTests.Platform.Support;

/// <summary>Schedules a reminder and records its token in the same transaction, as a saga keeping a token would.</summary>
public sealed class ScheduleReminderConsumer(PlatformTestDbContext db, FaultInjector faults)
    : TransactionalConsumer<PlatformTestDbContext, ScheduleReminder>(db)
{
    public static string RecordKey(Guid reminderId) => $"reminder:{reminderId:N}";

    protected override async Task Handle(TransactionalConsumeContext<ScheduleReminder> context)
    {
        var reminder = context.Message;
        var scheduled = await context.ScheduleSend(
            TestQueues.Address(TestQueues.Reminders), reminder.DueAt, new ReminderDue(reminder.ReminderId, reminder.DueAt));
        var key = RecordKey(reminder.ReminderId);
        Db.Records.Add(new TestRecord { Id = NewId.NextGuid(), Key = key, Value = scheduled.TokenId.ToString("D") });
        await Db.SaveChangesAsync(context.CancellationToken);
        faults.ThrowIfFailing(key);
    }
}
