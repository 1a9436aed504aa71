namespace Orchestrator.Scheduler.Dispatching;

/// <summary>
/// A job holding a quota slot (<c>scheduler.active_jobs</c>): from dispatch until the saga records a final state,
/// in whatever state the job is in between, so nothing escapes the count.
/// </summary>
public sealed class ActiveJob
{
    public Guid JobId { get; set; }

    public required string Service { get; set; }

    public int UserId { get; set; }

    public required string Destination { get; set; }

    public int Attempt { get; set; }

    public DateTimeOffset DispatchedAt { get; set; }
}
