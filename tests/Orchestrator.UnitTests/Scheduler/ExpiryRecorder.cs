using Orchestrator.Contracts;

namespace Orchestrator.UnitTests.Scheduler;

/// <summary>Stands in for the Janitor: notes when each expiry arrives, so a test can tell it came only after the retention.</summary>
public sealed class ExpiryRecorder
{
    readonly TaskCompletionSource<(ExpireJobResults Message, DateTime ArrivedAtUtc)> _first =
        new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<(ExpireJobResults Message, DateTime ArrivedAtUtc)> FirstArrival => _first.Task;

    public void Record(ExpireJobResults message) => _first.TrySetResult((message, DateTime.UtcNow));
}
