namespace Orchestrator.Scheduler.Dispatching;

/// <summary>
/// Fair-share in the spirit of Slurm's factor <c>2^(-U/S)</c>: U is the user's usage decayed with a half-life, S the
/// user's share. Each dispatch charges one unit of usage, so users with equal shares alternate and a user with twice
/// the share gets twice the dispatches, while usage from long ago stops counting.
/// </summary>
public static class FairShare
{
    public static double Decay(double usage, DateTimeOffset since, DateTimeOffset now, TimeSpan halfLife)
    {
        var elapsed = (now - since).TotalSeconds;
        return elapsed <= 0 ? usage : usage * Math.Pow(2, -elapsed / halfLife.TotalSeconds);
    }

    /// <summary>The fair-share factor in (0, 1]: higher goes first.</summary>
    public static double Factor(double usage, double share) => Math.Pow(2, -usage / share);
}
