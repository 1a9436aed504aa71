namespace Orchestrator.IntegrationTests.Platform.Support;

/// <summary>The outcome of one delivery on one receive endpoint, as seen by <see cref="ConsumeLog"/>.</summary>
public sealed record ConsumedMessage(string Queue, Type MessageType, Guid? MessageId, object Message, bool Faulted);
