namespace Orchestrator.UnitTests.Executor.Slurm;

public sealed class SettableClock(DateTimeOffset now) : TimeProvider
{
    DateTimeOffset _now = now;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
