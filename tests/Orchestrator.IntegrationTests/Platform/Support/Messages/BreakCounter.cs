namespace Orchestrator.IntegrationTests.Platform.Support.Messages;

/// <summary>Makes the counter change its state and publish, then fail, so nothing of it may persist.</summary>
public sealed record BreakCounter(Guid CounterId);
