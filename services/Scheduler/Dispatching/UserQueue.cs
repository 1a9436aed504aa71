namespace Orchestrator.Scheduler.Dispatching;

/// <summary>
/// How many jobs one user has queued in one service (<c>scheduler.user_queues</c>): the dispatcher chooses among
/// these rows, one per user with work, instead of scanning the queue itself.
/// </summary>
public sealed class UserQueue
{
    public required string Service { get; set; }

    public int UserId { get; set; }

    public int Queued { get; set; }

    /// <summary>Breaks fair-share ties: the user served longest ago goes first, which makes equal users alternate.</summary>
    public DateTimeOffset LastDispatchedAt { get; set; }
}
