namespace Orchestrator.Scheduler.Monitoring;

/// <summary>
/// What the dispatcher sees at one moment, as <c>GET /queue</c> shows it: per service its limits and users, each
/// user's fair-share standing and what its queued jobs wait for; the destinations' slots; and the dispatches the next
/// pass would make if nothing changed before it.
/// </summary>
public sealed record QueueOverview(
    DateTimeOffset ReadAt,
    IReadOnlyList<ServiceQueueView> Services,
    IReadOnlyList<DestinationSlotsView> Destinations,
    IReadOnlyList<NextDispatchView> Next);
