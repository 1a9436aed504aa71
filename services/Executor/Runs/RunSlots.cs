namespace Orchestrator.Executor.Runs;

/// <summary>The instance's <c>Executor:MaxConcurrentJobs</c> run slots.</summary>
public sealed class RunSlots(int capacity)
{
    readonly SemaphoreSlim _free = new(capacity, capacity);

    public int Capacity { get; } = capacity;

    public int InUse => Capacity - _free.CurrentCount;

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _free.WaitAsync(timeout, cancellationToken);

    /// <summary>Takes a slot if one is free; a run taken over after a restart runs even when none is.</summary>
    public bool TryTake() => _free.Wait(0);

    public void Release() => _free.Release();
}
