namespace Orchestrator.Bench;

/// <summary>Nearest-rank percentiles of a sample of durations.</summary>
public sealed class Percentiles
{
    readonly double[] _sortedMs;

    public Percentiles(IEnumerable<TimeSpan> sample)
    {
        _sortedMs = sample.Select(s => s.TotalMilliseconds).Order().ToArray();
    }

    public int Count => _sortedMs.Length;

    public double At(double percentile)
    {
        if (_sortedMs.Length == 0)
            return double.NaN;
        var rank = (int)Math.Ceiling(percentile / 100.0 * _sortedMs.Length);
        return _sortedMs[Math.Clamp(rank - 1, 0, _sortedMs.Length - 1)];
    }

    public double Max => _sortedMs.Length == 0 ? double.NaN : _sortedMs[^1];

    public double Mean => _sortedMs.Length == 0 ? double.NaN : _sortedMs.Average();
}
