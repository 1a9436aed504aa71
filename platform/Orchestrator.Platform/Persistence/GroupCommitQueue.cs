namespace Orchestrator.Platform.Persistence;

/// <summary>
/// The queue behind a group commit: work that arrives while a transaction is in flight waits and goes into the next
/// one, so under load many writes share a round trip and a commit, and alone a write costs what it would have.
/// Batches take the oldest waiting work first and at most one item per key; an item whose key another batch holds
/// waits for that batch to end. So one key's writes are committed in the order they were queued, even with several
/// writers at once.
/// </summary>
/// <param name="keyOf">What two items must not share a transaction for (a saga instance, a job).</param>
/// <param name="commit">Writes one batch and answers each of its items, failures included.</param>
/// <param name="fail">
/// Answers an item of a batch whose <paramref name="commit"/> threw all the same, so that no caller waits for ever on
/// work that nobody will finish (its message then fails and is retried, rather than sitting unacknowledged).
/// </param>
/// <param name="whenIdle">Called, under the queue's lock, each time the last writer runs out of work.</param>
public sealed class GroupCommitQueue<TWork, TKey>(
    Func<TWork, TKey> keyOf, int maxBatch, int writers, Func<List<TWork>, Task> commit, Action<TWork, Exception> fail,
    Action? whenIdle = null)
    where TKey : notnull
{
    readonly Lock _gate = new();
    List<TWork> _waiting = [];
    readonly HashSet<TKey> _inFlight = [];
    readonly int _maxBatch = Math.Max(1, maxBatch);
    readonly int _maxWriters = Math.Max(1, writers);
    int _writers;

    /// <summary>Whether a writer is running; taken under the same lock as <c>whenIdle</c>.</summary>
    public bool IsWriting
    {
        get
        {
            lock (_gate)
                return _writers > 0;
        }
    }

    /// <summary>Queues <paramref name="work"/> and starts a writer when fewer than allowed are running.</summary>
    public void Enqueue(TWork work)
    {
        lock (_gate)
        {
            _waiting.Add(work);
            if (_writers >= _maxWriters)
                return;
            _writers++;
        }

        // A writer serves every caller: it must not carry the first one's span, scope and job id into its logs.
        using (ExecutionContext.SuppressFlow())
            _ = Task.Run(WriteAsync);
    }

    async Task WriteAsync()
    {
        while (true)
        {
            List<TWork> batch;
            lock (_gate)
            {
                batch = TakeBatch();
                if (batch.Count == 0)
                {
                    if (--_writers == 0)
                        whenIdle?.Invoke();
                    return;
                }
            }

            try
            {
                await commit(batch);
            }
            catch (Exception ex)
            {
                foreach (var work in batch)
                    fail(work, ex);
            }
            finally
            {
                lock (_gate)
                {
                    foreach (var work in batch)
                        _inFlight.Remove(keyOf(work));
                }
            }
        }
    }

    /// <summary>One pass over the waiting items, so a long queue (a database back after an outage) costs its length once.</summary>
    List<TWork> TakeBatch()
    {
        var batch = new List<TWork>(Math.Min(_waiting.Count, _maxBatch));
        var left = new List<TWork>(_waiting.Count);
        foreach (var work in _waiting)
        {
            if (batch.Count < _maxBatch && _inFlight.Add(keyOf(work)))
                batch.Add(work);
            else
                left.Add(work);
        }

        _waiting = left;
        return batch;
    }
}
