namespace Orchestrator.Platform.Configuration;

/// <summary>
/// A service's retry policy (<c>Orchestrator:Services:{name}:Retry</c>). Attempts that failed for the
/// infrastructure's sake are retried with exponential back-off; a script's own non-zero exit is final unless its
/// code is listed in <see cref="RetryExitCodes"/>.
/// </summary>
public sealed class RetryOptions
{
    /// <summary>Attempts in all, the first included (default 3; 1 disables retries).</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Wait before the second attempt; doubles for each later one (default 10 s).</summary>
    public TimeSpan InitialDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest wait between attempts (default 10 minutes).</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Retry runs whose executor died (outcome Lost). Off by default: such a run may have half-done its work, and
    /// only the service knows whether its script is safe to run again.
    /// </summary>
    public bool RetryLostRuns { get; set; }

    /// <summary>Exit codes of the script that are worth another attempt (default none).</summary>
    public List<int> RetryExitCodes { get; set; } = [];

    public TimeSpan DelayBefore(int nextAttempt)
    {
        var delay = InitialDelay.TotalMilliseconds * Math.Pow(2, Math.Max(0, nextAttempt - 2));
        return TimeSpan.FromMilliseconds(Math.Min(delay, MaxDelay.TotalMilliseconds));
    }
}
