using System.Collections.Concurrent;

namespace Orchestrator.IntegrationTests.Platform.Support;

/// <summary>Makes the test consumers fail a given number of times for a key, after they did their work.</summary>
public sealed class FaultInjector
{
    readonly ConcurrentDictionary<string, int> _remaining = new();

    public void FailTimes(string key, int times) => _remaining[key] = times;

    /// <summary>Fails while the key has failures left; each call uses one up.</summary>
    public void ThrowIfFailing(string key)
    {
        while (_remaining.TryGetValue(key, out var left) && left > 0)
        {
            if (_remaining.TryUpdate(key, left - 1, left))
                throw new InvalidOperationException($"Injected failure for '{key}' ({left - 1} left)");
        }
    }
}
