namespace Orchestrator.Platform.Messaging;

/// <summary>Section <c>Outbox</c>.</summary>
public sealed class OutboxOptions
{
    /// <summary>How often undelivered messages are looked for when nothing woke the dispatcher (default 1 s).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Messages delivered per transaction (default 100).</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>
    /// Longest wait for the broker to confirm one message (default 30 s). A publish caught by a broker restart can wait
    /// for a confirm that never comes; it is given up and the batch tried again, so delivery never stalls for good.
    /// </summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
