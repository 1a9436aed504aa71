namespace Orchestrator.IntegrationTests.Platform.Support.Messages;

/// <summary>Adds one to a counter; creates the counter when it does not exist yet.</summary>
public sealed record IncrementCounter(Guid CounterId);
