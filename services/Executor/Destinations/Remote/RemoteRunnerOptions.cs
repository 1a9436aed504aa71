namespace Orchestrator.Executor.Destinations.Remote;

/// <summary>Section <c>Executor:Remote</c>: how remote destinations are driven.</summary>
public sealed class RemoteRunnerOptions
{
    /// <summary>How often a remote run's status is asked for (default 2 s).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Tries to submit before the attempt is reported not started, for the saga's retry policy (default 5).</summary>
    public int SubmitAttempts { get; set; } = 5;

    /// <summary>
    /// How long a run reported lost is still cancelled at its destination, should the destination answer again
    /// (default 7 days); tried every <see cref="PollInterval"/>.
    /// </summary>
    public TimeSpan AbandonedCancelFor { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Wait after the first failed submit; doubles each time (default 1 s).</summary>
    public TimeSpan SubmitBackoff { get; set; } = TimeSpan.FromSeconds(1);
}
