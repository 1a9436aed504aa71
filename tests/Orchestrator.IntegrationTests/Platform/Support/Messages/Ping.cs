namespace Orchestrator.IntegrationTests.Platform.Support.Messages;

/// <summary>A bare message written straight into the outbox by the tests.</summary>
public sealed record Ping(string Label);
