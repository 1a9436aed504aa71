namespace Orchestrator.UnitTests.Api;

/// <summary>A clock that moves only when told to, for code that measures elapsed time through <see cref="TimeProvider"/>.</summary>
public sealed class ManualClock : TimeProvider
{
    long _ticks = TimeSpan.FromHours(1).Ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
