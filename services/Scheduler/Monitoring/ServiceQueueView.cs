namespace Orchestrator.Scheduler.Monitoring;

/// <summary>
/// One service: its limits, its slots in use, its queue, and its users in the order they are served. A service with
/// jobs queued but no longer configured is listed too, with no destination and no limits: its jobs wait until it is
/// configured again.
/// </summary>
public sealed record ServiceQueueView(
    string Service,
    string? Destination,
    int MaxRuns,
    int RunsPerUser,
    int Running,
    int Queued,
    IReadOnlyList<UserQueueView> Users);
