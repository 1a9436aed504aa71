namespace Orchestrator.IntegrationTests.Platform.Support.Messages;

/// <summary>Asks <c>CancelReminderConsumer</c> to cancel the schedule named by <paramref name="TokenId"/>.</summary>
public sealed record CancelReminder(Guid TokenId);
