namespace Orchestrator.IntegrationTests.Platform.Support.Messages;

/// <summary>Finalizes a counter, which publishes <see cref="CounterClosed"/> and removes the saga.</summary>
public sealed record CloseCounter(Guid CounterId);
