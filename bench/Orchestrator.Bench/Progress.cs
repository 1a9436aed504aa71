using System.Diagnostics;

namespace Orchestrator.Bench;

/// <summary>A progress line on stderr every few seconds, so a long run shows it is alive without cluttering stdout.</summary>
public sealed class Progress(string what, int total)
{
    readonly Stopwatch _clock = Stopwatch.StartNew();
    long _lastReportMs;
    int _done;

    public void Step()
    {
        var done = Interlocked.Increment(ref _done);
        var now = _clock.ElapsedMilliseconds;
        var last = Interlocked.Read(ref _lastReportMs);
        if (now - last >= 5000 && Interlocked.CompareExchange(ref _lastReportMs, now, last) == last)
            Console.Error.WriteLine($"  {what} {done}/{total} after {now / 1000.0:F1} s");
    }

    public void Done() =>
        Console.Error.WriteLine($"  {what} {Volatile.Read(ref _done)}/{total} in {_clock.Elapsed.TotalSeconds:F1} s");
}
