using System.Collections.Concurrent;

namespace Orchestrator.Platform.Messaging;

/// <summary>
/// Between the transactions of this process that write outbox messages and the dispatcher that delivers them: the
/// rows a transaction wrote are handed over the moment it commits (<see cref="Committed"/>, by
/// <see cref="OutboxCommitInterceptor"/>), so the dispatcher need not look for them in the table; <see cref="Notify"/>
/// only wakes it. The table itself is read at start, after a failed delivery and at every poll interval: the safety
/// net for messages left by a crash or written by another process.
/// </summary>
public sealed class OutboxSignal : WakeSignal
{
    readonly ConcurrentQueue<OutboxMessage> _committed = new();
    int _tableChanged;

    /// <summary>
    /// Rows were committed that were not handed over (written in SQL rather than through the change tracker): the
    /// dispatcher reads the table next.
    /// </summary>
    public void NotifyTableChanged()
    {
        Interlocked.Exchange(ref _tableChanged, 1);
        Notify();
    }

    /// <summary>True once after <see cref="NotifyTableChanged"/>.</summary>
    public bool TakeTableChanged() => Interlocked.Exchange(ref _tableChanged, 0) == 1;

    /// <summary>Rows of a transaction that has just committed, in the order it wrote them.</summary>
    public void Committed(IReadOnlyList<OutboxMessage> rows)
    {
        if (rows.Count == 0)
            return;
        foreach (var row in rows)
            _committed.Enqueue(row);
        Notify();
    }

    /// <summary>Up to <paramref name="max"/> committed rows, oldest first; empty when none wait.</summary>
    public List<OutboxMessage> TakeCommitted(int max)
    {
        var rows = new List<OutboxMessage>();
        while (rows.Count < max && _committed.TryDequeue(out var row))
            rows.Add(row);
        return rows;
    }

    /// <summary>Forgets the committed rows handed over so far: a read of the table is about to deliver them.</summary>
    public void ForgetCommitted() => _committed.Clear();
}
