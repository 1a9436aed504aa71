namespace Orchestrator.Platform.Messaging;

/// <summary>
/// Wakes the outbox dispatcher as soon as this process commits a message, so delivery does not wait for the next
/// poll. The poll stays as the safety net for messages left by a crash or written by another process.
/// </summary>
public sealed class OutboxSignal : WakeSignal;
