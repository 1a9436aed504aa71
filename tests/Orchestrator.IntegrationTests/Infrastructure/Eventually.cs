namespace Orchestrator.IntegrationTests.Infrastructure;

/// <summary>Polls a condition until it holds or a deadline passes; the tests' only way to wait.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        var delay = TimeSpan.FromMilliseconds(25);
        T last;
        while (true)
        {
            last = await probe();
            if (done(last))
                return last;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Timed out after {(timeout ?? DefaultTimeout).TotalSeconds:0}s waiting for {what}; last value: {last}");
            await Task.Delay(delay);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 250));
        }
    }

    public static Task UntilAsync(Func<Task<bool>> probe, string what, TimeSpan? timeout = null) =>
        UntilAsync(probe, ok => ok, what, timeout);

    public static Task UntilAsync(Func<bool> probe, string what, TimeSpan? timeout = null) =>
        UntilAsync(() => Task.FromResult(probe()), ok => ok, what, timeout);
}
