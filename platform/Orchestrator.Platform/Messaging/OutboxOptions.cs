namespace Orchestrator.Platform.Messaging;

/// <summary>Section <c>Outbox</c>.</summary>
public sealed class OutboxOptions
{
    /// <summary>How often undelivered messages are looked for when nothing woke the dispatcher (default 1 s).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Messages delivered per transaction (default 100).</summary>
    public int BatchSize { get; set; } = 100;
}
