namespace Orchestrator.Scheduler.Dispatching;

/// <summary>A job waiting for a quota slot (<c>scheduler.queued_jobs</c>); the sequence orders each user's jobs.</summary>
public sealed class QueuedJob
{
    public long Sequence { get; set; }

    public Guid JobId { get; set; }

    public long JobNumber { get; set; }

    public required string Service { get; set; }

    public int UserId { get; set; }

    public required string Destination { get; set; }

    public required string Directory { get; set; }

    public int Attempt { get; set; }

    public int? TimeoutSeconds { get; set; }

    /// <summary>The job's variables as a JSON object.</summary>
    public string? Environment { get; set; }

    public DateTimeOffset EnqueuedAt { get; set; }

    /// <summary>The trace the job was submitted in, so its dispatch joins the job's one trace.</summary>
    public string? TraceParent { get; set; }
}
