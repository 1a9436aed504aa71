namespace Orchestrator.IntegrationTests.Platform.Support;

/// <summary>One delivery seen by a <see cref="RecordingConsumer{T}"/>, with what the broker and the sender stamped on it.</summary>
public sealed record ReceivedMessage(
    object Message,
    Guid? MessageId,
    Guid? CorrelationId,
    string? SchedulingTokenId,
    DateTime ReceivedAt);
