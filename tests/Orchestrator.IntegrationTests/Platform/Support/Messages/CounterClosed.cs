namespace Orchestrator.IntegrationTests.Platform.Support.Messages;

/// <summary>Published by the counter saga, through its outbox, when it finalizes.</summary>
public sealed record CounterClosed(Guid CounterId, string? Label, int Count);
