namespace Orchestrator.Platform.Configuration;

/// <summary>One portal service (<c>Orchestrator:Services:{name}</c>).</summary>
public sealed class ServiceOptions
{
    /// <summary>The destination this service's jobs run on; must name an entry of <c>Orchestrator:Destinations</c>.</summary>
    public string Destination { get; set; } = "local";

    /// <summary>Jobs of this service dispatched at once, all users together (default 10, as the WeNMR orchestrator).</summary>
    public int MaxRuns { get; set; } = 10;

    /// <summary>Jobs of one user of this service dispatched at once (default 5).</summary>
    public int RunsPerUser { get; set; } = 5;

    /// <summary>Jobs one user may have waiting in this service's queue; over it uploads get 429. Null: no limit.</summary>
    public int? MaxQueuedPerUser { get; set; }

    /// <summary>Time limit of a job that sets none (default: <see cref="MaxTimeout"/>).</summary>
    public TimeSpan? Timeout { get; set; }

    /// <summary>The longest a job may ask to run (default 7 days); a run over its limit is killed as TimedOut.</summary>
    public TimeSpan MaxTimeout { get; set; } = TimeSpan.FromDays(7);

    /// <summary>A job queued longer than this is reported (event and warning), never dropped (default 1 hour).</summary>
    public TimeSpan QueueWaitWarning { get; set; } = TimeSpan.FromHours(1);

    /// <summary>What one run may use; see <see cref="ResourceOptions"/>.</summary>
    public ResourceOptions Resources { get; set; } = new();

    /// <summary>What a job's <c>run.sh</c> is checked for at submission; see <see cref="ScriptPolicyOptions"/>.</summary>
    public ScriptPolicyOptions ScriptPolicy { get; set; } = new();

    /// <summary>How failures of the infrastructure (and, if listed, exit codes) are retried.</summary>
    public RetryOptions Retry { get; set; } = new();

    /// <summary>The time limit of a job: its own, else the service's default, never over the maximum.</summary>
    public TimeSpan EffectiveTimeout(int? requestedSeconds)
    {
        var requested = requestedSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : Timeout ?? MaxTimeout;
        return requested < MaxTimeout ? requested : MaxTimeout;
    }

    /// <summary>Fair-share weight of users not named in <see cref="Shares"/> (default 1).</summary>
    public double DefaultShare { get; set; } = 1;

    /// <summary>Fair-share weights by user id: a user with share 2 gets twice the slots of a user with 1 over time.</summary>
    public Dictionary<string, double> Shares { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Groups of users sharing one weight, by group name; a user's own entry in <see cref="Shares"/> wins.</summary>
    public Dictionary<string, ShareGroupOptions> Groups { get; set; } = new(StringComparer.Ordinal);

    public double ShareOf(int userId)
    {
        var key = userId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (Shares.TryGetValue(key, out var share))
            return share;
        foreach (var group in Groups.Values)
        {
            if (group.Users.Contains(userId))
                return group.Share;
        }

        return DefaultShare;
    }
}
