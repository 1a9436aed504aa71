namespace Orchestrator.Scheduler.Monitoring;

/// <summary>
/// One user of a service with queued jobs or slots held.
/// </summary>
/// <param name="Running">Slots the user holds: jobs dispatched and not yet final.</param>
/// <param name="Usage">The user's usage decayed to now (one unit per dispatch).</param>
/// <param name="Factor">The fair-share factor <c>2^(-Usage/Share)</c>; higher goes first.</param>
/// <param name="Rank">The user's turn among the service's users with queued jobs (1 is served first); null with none queued.</param>
/// <param name="WaitingOn">
/// The limit that holds the user's queued jobs back, the first found in the planner's order: <c>MaxRuns</c> (the
/// service's slots are all taken), <c>RunsPerUser</c> (the user's are), <c>Capacity</c> (the destination is full),
/// <c>NotConfigured</c> (the service is not in the configuration); null when a free slot awaits them, or nothing is
/// queued.
/// </param>
public sealed record UserQueueView(
    int UserId,
    int Queued,
    int Running,
    double Share,
    double Usage,
    double Factor,
    DateTimeOffset? LastDispatchedAt,
    int? Rank,
    string? WaitingOn);
