namespace Orchestrator.Scheduler.Dispatching;

/// <summary>Wakes the dispatcher when the queue or the slots changed (a NOTIFY arrived).</summary>
public sealed class DispatchSignal
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
