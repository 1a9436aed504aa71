namespace Orchestrator.Scheduler.Dispatching;

/// <summary>
/// What the dispatcher keeps about one user of one service (<c>scheduler.fair_share_accounts</c>): the decayed usage as
/// of <see cref="UpdatedAt"/>, and when the user was last served. Only dispatch passes write it, under their lock, so
/// submissions never wait on it.
/// </summary>
public sealed class FairShareAccount
{
    public required string Service { get; set; }

    public int UserId { get; set; }

    public double Usage { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Breaks fair-share ties: the user served longest ago goes first, which makes equal users alternate.</summary>
    public DateTimeOffset LastDispatchedAt { get; set; }
}
