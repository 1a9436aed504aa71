namespace Orchestrator.Platform.Messaging;

/// <summary>
/// Wakes the outbox dispatcher as soon as this process commits a message, so delivery does not wait for the next
/// poll. The poll stays as the safety net for messages left by a crash or written by another process.
/// </summary>
public sealed class OutboxSignal
{
    readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        // A pending signal already covers every message committed before the dispatcher wakes.
        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
            }
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _signal.WaitAsync(timeout, cancellationToken);
}
