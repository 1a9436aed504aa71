namespace Orchestrator.IntegrationTests.Platform.Support.Messages;

/// <summary>Creates a counter saga in its Counting state.</summary>
public sealed record OpenCounter(Guid CounterId, string Label);
