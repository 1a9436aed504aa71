using System.Collections.Concurrent;
using Orchestrator.IntegrationTests.Infrastructure;

namespace Orchestrator.IntegrationTests.Platform.Support;

/// <summary>
/// Messages received by the recording consumers, in arrival order. Outlives the hosts of a test, so deliveries after
/// a restart land in the same log.
/// </summary>
public sealed class MessageLog
{
    readonly ConcurrentQueue<ReceivedMessage> _received = new();

    public void Add(ReceivedMessage message) => _received.Enqueue(message);

    public IReadOnlyList<ReceivedMessage> Deliveries<T>(Func<T, bool>? match = null)
        where T : class =>
        _received.Where(r => r.Message is T m && (match is null || match(m))).ToList();

    public IReadOnlyList<T> Messages<T>(Func<T, bool>? match = null)
        where T : class =>
        Deliveries(match).Select(r => (T)r.Message).ToList();

    public async Task<ReceivedMessage> WaitForAsync<T>(Func<T, bool> match, string what, TimeSpan? timeout = null)
        where T : class
    {
        var deliveries = await Eventually.UntilAsync(
            () => Task.FromResult(Deliveries(match)), d => d.Count > 0, what, timeout);
        return deliveries[0];
    }
}
