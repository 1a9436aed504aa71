namespace Orchestrator.Platform.Messaging;

/// <summary>Section <c>Inbox</c>.</summary>
public sealed class InboxOptions
{
    /// <summary>
    /// How long a handled message's id is remembered (default 7 days). A copy delivered later than this is handled
    /// again. Copies come from an outbox resend after a crash or from the broker redelivering a message whose
    /// acknowledgement was lost, seconds to minutes after the first; the week covers a service that stays down over a
    /// long weekend with such a message unacknowledged. The consumers' effects are guarded by state as well (the saga
    /// ignores events of a passed state, the Api's job table only moves forward, a run is keyed by job and attempt),
    /// so the inbox is the first guard, not the only one.
    /// </summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often entries older than <see cref="Retention"/> are deleted (default 10 minutes).</summary>
    public TimeSpan PruneInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Entries deleted per transaction (default 5,000), so pruning never holds a long transaction.</summary>
    public int PruneBatchSize { get; set; } = 5000;
}
