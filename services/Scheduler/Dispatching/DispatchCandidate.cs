namespace Orchestrator.Scheduler.Dispatching;

/// <summary>A user with queued work in a service, as the planner sees it.</summary>
public sealed class DispatchCandidate
{
    public required string Service { get; init; }

    public int UserId { get; init; }

    public int Queued { get; set; }

    public double Usage { get; set; }

    public double Share { get; init; }

    public DateTimeOffset LastDispatchedAt { get; set; }

    public double Factor => FairShare.Factor(Usage, Share);
}
