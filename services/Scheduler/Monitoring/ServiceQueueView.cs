namespace Orchestrator.Scheduler.Monitoring;

/// <summary>One configured service: its limits, its slots in use, its queue, and its users in the order they are served.</summary>
public sealed record ServiceQueueView(
    string Service,
    string Destination,
    int MaxRuns,
    int RunsPerUser,
    int Running,
    int Queued,
    IReadOnlyList<UserQueueView> Users);
