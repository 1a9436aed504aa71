namespace Orchestrator.IntegrationTests.Platform.Support.Messages;

/// <summary>The scheduled message; carries the time it was due so the receiver can check it was not early.</summary>
public sealed record ReminderDue(Guid ReminderId, DateTime DueAt);
