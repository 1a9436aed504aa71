namespace Orchestrator.Executor.Destinations.Jobd;

/// <summary>One agent of a jobd destination as this executor sees it; <see cref="JobdAgentPool"/> guards its changes.</summary>
public sealed class JobdAgent(Uri baseAddress, bool configured)
{
    public Uri BaseAddress { get; } = baseAddress;

    /// <summary>False for an agent known only from a stored run's id (no longer configured): followed, never chosen.</summary>
    public bool Configured { get; } = configured;

    /// <summary>Null until the first probe has answered or failed.</summary>
    public bool? Healthy { get; set; }

    /// <summary>CPU use in percent from its last <c>/load</c>.</summary>
    public double? Load { get; set; }

    /// <summary>Since when it has not answered; null while it answers.</summary>
    public DateTimeOffset? DownSince { get; set; }

    public string? LastError { get; set; }

    public DateTimeOffset NextProbeAt { get; set; }

    public TimeSpan Backoff { get; set; }

    /// <summary>External ids of our runs on it that have not ended.</summary>
    public HashSet<string> InFlight { get; } = new(StringComparer.Ordinal);
}
