namespace Orchestrator.Platform.Messaging;

/// <summary>
/// Wakes a background loop as soon as there is work, so it need not wait for its next poll. Any number of
/// notifications before the loop wakes count as one: the loop then looks for all the work there is.
/// </summary>
public abstract class WakeSignal
{
    readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
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
