using Orchestrator.Scheduler.Dispatching;

namespace Orchestrator.Scheduler.Monitoring;

/// <summary>
/// Builds the overview from what a dispatch pass reads, with the planner's own order and limits, so what it shows is
/// what the dispatcher does: the preview of the next dispatches is a plan made on copies.
/// </summary>
public static class QueueOverviewBuilder
{
    public const string Capacity = "Capacity";
    public const string MaxRuns = "MaxRuns";
    public const string RunsPerUser = "RunsPerUser";
    public const string NotConfigured = "NotConfigured";

    /// <param name="users">
    /// Every user with queued jobs or slots held (<c>Queued</c> 0 for the latter), in configured services or not.
    /// </param>
    /// <param name="preview">How many of the next dispatches to show.</param>
    public static QueueOverview Build(
        IReadOnlyList<DispatchCandidate> users, DispatchLimits limits, SlotUsage usage, int preview, DateTimeOffset now)
    {
        var services = limits.Quotas.Keys.Union(users.Select(u => u.Service)).Order(StringComparer.Ordinal).Select(service =>
        {
            var ofService = users.Where(u => u.Service == service).ToList();
            if (!limits.Quotas.TryGetValue(service, out var quota))
                return Unconfigured(service, ofService, usage);
            var ranks = ofService.Where(u => u.Queued > 0)
                .Order(Comparer<DispatchCandidate>.Create(DispatchPlanner.Compare))
                .Select((u, i) => (u.UserId, Rank: i + 1))
                .ToDictionary(r => r.UserId, r => r.Rank);
            var views = ofService
                .Select(u => View(u, usage, ranks.TryGetValue(u.UserId, out var rank) ? rank : null,
                    u.Queued > 0 ? WaitingOn(u, quota, limits, usage) : null))
                .OrderBy(v => v.Rank ?? int.MaxValue).ThenBy(v => v.UserId)
                .ToList();
            return new ServiceQueueView(service, quota.Destination, quota.MaxRuns, quota.RunsPerUser,
                usage.Service(service), ofService.Sum(u => u.Queued), views);
        }).ToList();

        var destinations = limits.Capacity.OrderBy(d => d.Key, StringComparer.Ordinal)
            .Select(d => new DestinationSlotsView(d.Key, d.Value, usage.Destination(d.Key)))
            .ToList();

        var next = DispatchPlanner.Plan([.. users.Select(u => u.Copy())], limits.Quotas, limits.Capacity, usage.Copy(), preview, now)
            .Select(p => new NextDispatchView(p.Service, p.UserId))
            .ToList();

        return new QueueOverview(now, services, destinations, next);
    }

    /// <summary>The planner passes such a service by, so none of its users has a turn.</summary>
    static ServiceQueueView Unconfigured(string service, List<DispatchCandidate> users, SlotUsage usage) =>
        new(service, null, 0, 0, usage.Service(service), users.Sum(u => u.Queued), users
            .Select(u => View(u, usage, rank: null, u.Queued > 0 ? NotConfigured : null))
            .OrderBy(v => v.UserId)
            .ToList());

    static UserQueueView View(DispatchCandidate user, SlotUsage usage, int? rank, string? waitingOn) =>
        new(user.UserId, user.Queued, usage.User(user.Service, user.UserId), user.Share, user.Usage, user.Factor,
            user.LastDispatchedAt == DateTimeOffset.UnixEpoch ? null : user.LastDispatchedAt, rank, waitingOn);

    /// <summary>The first limit, in the planner's order of checks, that keeps the user's queued jobs from a slot.</summary>
    static string? WaitingOn(DispatchCandidate user, ServiceQuota quota, DispatchLimits limits, SlotUsage usage)
    {
        if (usage.Service(user.Service) >= quota.MaxRuns)
            return MaxRuns;
        if (usage.User(user.Service, user.UserId) >= quota.RunsPerUser)
            return RunsPerUser;
        if (usage.Destination(quota.Destination) >= limits.Capacity.GetValueOrDefault(quota.Destination))
            return Capacity;
        return null;
    }
}
