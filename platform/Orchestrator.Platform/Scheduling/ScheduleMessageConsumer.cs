using System.Text.Json;
using MassTransit;
using MassTransit.Scheduling;
using Microsoft.EntityFrameworkCore;
using Orchestrator.Platform.Messaging;

using ScheduledMessage = Orchestrator.Platform.Scheduling.ScheduledMessage;

namespace Orchestrator.Platform.Scheduling;

/// <summary>
/// The durable scheduler's bus face: any service may schedule with MassTransit's standard <c>ScheduleMessage</c>
/// command (<c>IMessageScheduler</c> pointed at the scheduler queue). It is stored like the schedules that
/// transactional consumers write directly.
/// </summary>
public sealed class ScheduleMessageConsumer<TDbContext>(TDbContext db)
    : TransactionalConsumer<TDbContext, ScheduleMessage>(db)
    where TDbContext : DbContext
{
    protected override Task Handle(TransactionalConsumeContext<ScheduleMessage> context)
    {
        var command = context.Message;
        var type = MessageUrns.Resolve(command.PayloadType)
            ?? throw new InvalidOperationException(
                $"None of the payload types [{string.Join(", ", command.PayloadType)}] is known to this service.");
        var body = command.Payload is JsonElement json
            ? json.GetRawText()
            : MessageBodySerializer.Serialize(command.Payload, command.Payload.GetType());

        // A repeated command with the same token replaces the earlier schedule instead of failing.
        var existing = Db.Set<ScheduledMessage>().Find(command.CorrelationId);
        if (existing is not null)
            Db.Remove(existing);
        Db.Set<ScheduledMessage>().Add(new ScheduledMessage
        {
            TokenId = command.CorrelationId,
            DueAt = new DateTimeOffset(DateTime.SpecifyKind(command.ScheduledTime, DateTimeKind.Utc)),
            DestinationAddress = command.Destination.ToString(),
            MessageType = MessageBodySerializer.TypeName(type),
            Body = body,
            CorrelationId = context.CorrelationId,
            TraceParent = System.Diagnostics.Activity.Current?.Id,
            CreatedAt = DateTimeOffset.UtcNow,
        });
        return Task.CompletedTask;
    }
}
