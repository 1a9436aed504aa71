namespace Orchestrator.Scheduler.Dispatching;

/// <summary>A user's decayed usage of one service (<c>scheduler.fair_share_accounts</c>), as of <see cref="UpdatedAt"/>.</summary>
public sealed class FairShareAccount
{
    public required string Service { get; set; }

    public int UserId { get; set; }

    public double Usage { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
