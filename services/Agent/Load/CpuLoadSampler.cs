using System.Globalization;

namespace Orchestrator.Agent.Load;

/// <summary>The machine's CPU use in percent over the last second, from <c>/proc/stat</c>, for <c>GET /load</c>.</summary>
public sealed class CpuLoadSampler(ILogger<CpuLoadSampler> logger) : BackgroundService
{
    static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    (ulong Busy, ulong Total)? _previous;
    double _load;

    public double Load => Volatile.Read(ref _load);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            Sample();
            await Task.Delay(Interval, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    void Sample()
    {
        try
        {
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Skip(1).Select(f => ulong.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            // user nice system idle iowait irq softirq steal; guest time is already inside user and nice.
            var total = fields.Take(8).Aggregate(0UL, (sum, f) => sum + f);
            var idle = fields[3] + (fields.Length > 4 ? fields[4] : 0);
            var current = (Busy: total - idle, Total: total);
            if (_previous is { } previous && current.Total > previous.Total)
                Volatile.Write(ref _load, Math.Round(100.0 * (current.Busy - previous.Busy) / (current.Total - previous.Total), 1));
            _previous = current;
        }
        catch (Exception ex) when (ex is IOException or FormatException or IndexOutOfRangeException or OverflowException)
        {
            logger.LogWarning("CPU load could not be read: {Reason}", ex.Message);
        }
    }
}
