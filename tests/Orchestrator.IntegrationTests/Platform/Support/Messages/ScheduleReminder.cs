namespace Orchestrator.IntegrationTests.Platform.Support.Messages;

/// <summary>Asks <c>ScheduleReminderConsumer</c> to schedule a <see cref="ReminderDue"/> for <paramref name="DueAt"/>.</summary>
public sealed record ScheduleReminder(Guid ReminderId, DateTime DueAt);
