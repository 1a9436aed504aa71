using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Contracts;
using Orchestrator.IntegrationTests.Infrastructure;
using Orchestrator.IntegrationTests.Platform.Support;
using Orchestrator.IntegrationTests.Platform.Support.Messages;
using MassTransit.Scheduling;
using Orchestrator.Platform.Hosting;

using ScheduledMessage = Orchestrator.Platform.Scheduling.ScheduledMessage;

namespace Orchestrator.IntegrationTests.Platform;

/// <summary>The durable scheduler: schedules are rows of the service's database, sent by a dispatcher when due.</summary>
public sealed class DurableSchedulerTests : PlatformTestBase
{
    static readonly Uri Reminders = TestQueues.Address(TestQueues.Reminders);

    [Fact]
    public async Task ScheduleSend_in_a_transactional_consumer_writes_the_schedule_in_the_consumers_transaction()
    {
        // No scheduler consumer runs here: a ScheduleMessage that went to the broker instead would leave no row.
        var host = await StartReminderHostAsync(durableScheduler: false);

        var failing = NewId.NextGuid();
        Env.Faults.FailTimes(ScheduleReminderConsumer.RecordKey(failing), int.MaxValue);
        await host.Bus.Publish(new ScheduleReminder(failing, DateTime.UtcNow.AddHours(1)));
        await Env.Consumed.WaitForAsync<ScheduleReminder>(TestQueues.ScheduleReminder, c => c.Faulted, 1, "the failing consumer to give up");
        Assert.Equal(0, await CountAsync("scheduled_messages"));
        Assert.Equal(0, await CountAsync("records"));

        var id = NewId.NextGuid();
        var due = DateTime.UtcNow.AddHours(1);
        await host.Bus.Publish(new ScheduleReminder(id, due));
        var token = await WaitForTokenAsync(id);

        var row = await Env.QueryAsync(db => db.Set<ScheduledMessage>().AsNoTracking().SingleAsync());
        Assert.Equal(token, row.TokenId);
        Assert.InRange((row.DueAt.UtcDateTime - due).Duration(), TimeSpan.Zero, TimeSpan.FromMilliseconds(1));
        Assert.EndsWith(TestQueues.Reminders, row.DestinationAddress);
        Assert.StartsWith(typeof(ReminderDue).FullName + ",", row.MessageType);
        Assert.Contains(id.ToString(), row.Body);
        Assert.Equal(0, await CountAsync("outbox_messages"));
    }

    [Fact]
    public async Task A_schedule_is_delivered_once_it_is_due_and_not_before()
    {
        var host = await StartReminderHostAsync(durableScheduler: true);
        var id = NewId.NextGuid();
        var due = DateTime.UtcNow.AddSeconds(2);

        await host.Bus.Publish(new ScheduleReminder(id, due));
        var token = await WaitForTokenAsync(id);

        var received = await Env.Log.WaitForAsync<ReminderDue>(m => m.ReminderId == id, "the reminder to be delivered");
        Assert.True(received.ReceivedAt >= due, $"Delivered at {received.ReceivedAt:O}, before it was due at {due:O}");
        Assert.Equal(new ReminderDue(id, due), received.Message);
        Assert.Equal(token, received.MessageId);
        Assert.Equal(token.ToString("D"), received.SchedulingTokenId);
        await Eventually.UntilAsync(async () => await CountAsync("scheduled_messages") == 0, "the sent schedule to be removed");
    }

    [Fact]
    public async Task A_schedule_survives_a_restart_of_the_service()
    {
        var first = await StartReminderHostAsync(durableScheduler: true);
        var id = NewId.NextGuid();
        var due = DateTime.UtcNow.AddSeconds(6);
        await first.Bus.Publish(new ScheduleReminder(id, due));
        var token = await WaitForTokenAsync(id);

        await first.StopAsync();
        Assert.True(DateTime.UtcNow < due, "The first host should have stopped before the reminder fell due");
        Assert.Equal(1, await CountAsync("scheduled_messages", $"token_id = '{token}'"));
        Assert.Empty(Env.Log.Deliveries<ReminderDue>());

        await StartReminderHostAsync(durableScheduler: true);

        var received = await Env.Log.WaitForAsync<ReminderDue>(m => m.ReminderId == id, "the reminder to be delivered after the restart");
        Assert.True(received.ReceivedAt >= due, $"Delivered at {received.ReceivedAt:O}, before it was due at {due:O}");
        Assert.Equal(token, received.MessageId);
        await Eventually.UntilAsync(async () => await CountAsync("scheduled_messages") == 0, "the sent schedule to be removed");
        Assert.Single(Env.Log.Deliveries<ReminderDue>());
    }

    [Fact]
    public async Task CancelScheduledSend_in_a_transactional_consumer_removes_the_schedule_when_it_commits()
    {
        // The dispatcher is driven by hand, so nothing can be sent before the cancellation has been judged.
        var host = await StartReminderHostAsync(durableScheduler: false);
        var cancelled = NewId.NextGuid();
        var kept = NewId.NextGuid();
        var due = DateTime.UtcNow.AddMilliseconds(500);
        await host.Bus.Publish(new ScheduleReminder(cancelled, due));
        await host.Bus.Publish(new ScheduleReminder(kept, due));
        var cancelledToken = await WaitForTokenAsync(cancelled);
        var keptToken = await WaitForTokenAsync(kept);

        var faultKey = CancelReminderConsumer.FaultKey(cancelledToken);
        Env.Faults.FailTimes(faultKey, int.MaxValue);
        await host.Bus.Publish(new CancelReminder(cancelledToken));
        await Env.Consumed.WaitForAsync<CancelReminder>(TestQueues.CancelReminder, c => c.Faulted, 1, "the failing cancel to give up");
        Assert.Equal(1, await CountAsync("scheduled_messages", $"token_id = '{cancelledToken}'"));

        Env.Faults.FailTimes(faultKey, 0);
        await host.Bus.Publish(new CancelReminder(cancelledToken));
        await Env.Consumed.WaitForAsync<CancelReminder>(TestQueues.CancelReminder, c => !c.Faulted, 1, "the cancel to commit");
        Assert.Equal(0, await CountAsync("scheduled_messages", $"token_id = '{cancelledToken}'"));
        Assert.Equal(1, await CountAsync("scheduled_messages", $"token_id = '{keptToken}'"));

        var dispatcher = host.CreateScheduledMessageDispatcher();
        var sent = await Eventually.UntilAsync(() => dispatcher.DeliverDueAsync(CancellationToken.None), n => n > 0,
            "the kept reminder to fall due");

        Assert.Equal(1, sent);
        var received = await Env.Log.WaitForAsync<ReminderDue>(m => m.ReminderId == kept, "the kept reminder");
        Assert.Equal(keptToken, received.MessageId);
        Assert.Equal(0, await CountAsync("scheduled_messages"));
        Assert.Empty(Env.Log.Deliveries<ReminderDue>(m => m.ReminderId == cancelled));
    }

    [Fact]
    public async Task MassTransits_IMessageScheduler_over_the_scheduler_queue_stores_delivers_and_cancels()
    {
        var host = await StartReminderHostAsync(durableScheduler: true, schedulerClient: true);
        await using var scope = host.Services.CreateAsyncScope();
        var scheduler = scope.ServiceProvider.GetRequiredService<IMessageScheduler>();

        var later = NewId.NextGuid();
        var laterDue = DateTime.UtcNow.AddHours(1);
        var scheduledLater = await scheduler.ScheduleSend(Reminders, laterDue, new ReminderDue(later, laterDue));
        var row = await Eventually.UntilAsync(
            () => Env.QueryAsync(db => db.Set<ScheduledMessage>().AsNoTracking().SingleOrDefaultAsync(m => m.TokenId == scheduledLater.TokenId)),
            r => r is not null, "the ScheduleMessage command to be stored");
        Assert.InRange((row!.DueAt.UtcDateTime - laterDue).Duration(), TimeSpan.Zero, TimeSpan.FromMilliseconds(1));
        Assert.EndsWith(TestQueues.Reminders, row.DestinationAddress);
        Assert.StartsWith(typeof(ReminderDue).FullName + ",", row.MessageType);
        Assert.Contains(later.ToString(), row.Body);

        var soon = NewId.NextGuid();
        var soonDue = DateTime.UtcNow.AddSeconds(2);
        var scheduledSoon = await scheduler.ScheduleSend(Reminders, soonDue, new ReminderDue(soon, soonDue));
        var received = await Env.Log.WaitForAsync<ReminderDue>(m => m.ReminderId == soon, "the reminder scheduled over the bus");
        Assert.True(received.ReceivedAt >= soonDue, $"Delivered at {received.ReceivedAt:O}, before it was due at {soonDue:O}");
        Assert.Equal(new ReminderDue(soon, soonDue), received.Message);
        Assert.Equal(scheduledSoon.TokenId, received.MessageId);

        await scheduler.CancelScheduledSend(Reminders, scheduledLater.TokenId);
        await Eventually.UntilAsync(async () => await CountAsync("scheduled_messages") == 0, "the CancelScheduledMessage command to remove the schedule");
        Assert.Empty(Env.Log.Deliveries<ReminderDue>(m => m.ReminderId == later));
    }

    [Fact]
    public async Task A_repeated_ScheduleMessage_with_the_same_token_replaces_the_schedule()
    {
        var host = await StartReminderHostAsync(durableScheduler: true);
        var scheduler = await host.Bus.GetSendEndpoint(QueueNames.Address(QueueNames.MessageScheduler));
        var token = NewId.NextGuid();
        var id = NewId.NextGuid();
        var first = DateTime.UtcNow.AddHours(1);
        var second = first.AddHours(1);

        await scheduler.Send<ScheduleMessage>(Command(token, id, first));
        await WaitForDueAtAsync(token, first);
        await scheduler.Send<ScheduleMessage>(Command(token, id, second));
        await WaitForDueAtAsync(token, second);

        Assert.Equal(1, await CountAsync("scheduled_messages"));
        Assert.Empty(Env.Consumed.On<ScheduleMessage>(QueueNames.MessageScheduler, c => c.Faulted));

        // What IMessageScheduler sends, but under a token of our choosing, as a sender retrying with a new MessageId would.
        static ScheduleMessage Command(Guid token, Guid id, DateTime due) =>
            new ScheduleMessageCommand<ReminderDue>(due, Reminders, new ReminderDue(id, due), token);
    }

    Task WaitForDueAtAsync(Guid token, DateTime due) =>
        Eventually.UntilAsync(
            () => Env.QueryAsync(db => db.Set<ScheduledMessage>().AsNoTracking().Where(m => m.TokenId == token).Select(m => (DateTimeOffset?)m.DueAt).SingleOrDefaultAsync()),
            d => d is { } at && (at.UtcDateTime - due).Duration() < TimeSpan.FromMilliseconds(1),
            $"schedule {token} to be due at {due:O}");

    Task<PlatformTestHost> StartReminderHostAsync(bool durableScheduler, bool schedulerClient = false) =>
        Env.StartHostAsync(o => o.Bus = bus =>
        {
            bus.AddConsumer<ScheduleReminderConsumer>().Endpoint(e => e.Name = TestQueues.ScheduleReminder);
            bus.AddConsumer<CancelReminderConsumer>().Endpoint(e => e.Name = TestQueues.CancelReminder);
            bus.AddConsumer<RecordingConsumer<ReminderDue>>().Endpoint(e =>
            {
                e.Name = TestQueues.Reminders;
                e.ConcurrentMessageLimit = 1;
            });
            if (durableScheduler)
                bus.AddDurableScheduler<PlatformTestDbContext>();
            if (schedulerClient)
                bus.AddMessageScheduler(QueueNames.Address(QueueNames.MessageScheduler));
        });

    async Task<Guid> WaitForTokenAsync(Guid reminderId)
    {
        var key = ScheduleReminderConsumer.RecordKey(reminderId);
        var value = await Eventually.UntilAsync(
            () => Env.QueryAsync(db => db.Records.Where(r => r.Key == key).Select(r => r.Value).SingleOrDefaultAsync()),
            v => v is not null, $"the schedule of {reminderId} to commit");
        return Guid.Parse(value!);
    }
}
