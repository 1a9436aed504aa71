namespace Orchestrator.Scheduler.Dispatching;

/// <summary>
/// Chooses which users' oldest jobs get the free slots: the eligible candidate with the highest fair-share factor
/// first, ties to the one served longest ago. Each choice charges the user, so the next choice moves on to others.
/// Works on users with queued work only, never on the queue itself, so its cost does not grow with the backlog.
/// </summary>
public static class DispatchPlanner
{
    public const double ChargePerDispatch = 1.0;

    public static IReadOnlyList<DispatchCandidate> Plan(
        IReadOnlyList<DispatchCandidate> candidates,
        IReadOnlyDictionary<string, ServiceQuota> quotas,
        IReadOnlyDictionary<string, int> destinationCapacity,
        SlotUsage usage,
        int batchSize,
        DateTimeOffset now)
    {
        var picks = new List<DispatchCandidate>();
        var tick = 0;
        while (picks.Count < batchSize)
        {
            DispatchCandidate? best = null;
            foreach (var candidate in candidates)
            {
                if (candidate.Queued == 0 || !quotas.TryGetValue(candidate.Service, out var quota))
                    continue;
                if (usage.Service(candidate.Service) >= quota.MaxRuns
                    || usage.User(candidate.Service, candidate.UserId) >= quota.RunsPerUser
                    || usage.Destination(quota.Destination) >= destinationCapacity.GetValueOrDefault(quota.Destination))
                    continue;
                if (best is null || Precedes(candidate, best))
                    best = candidate;
            }

            if (best is null)
                break;

            picks.Add(best);
            best.Queued--;
            best.Usage += ChargePerDispatch;
            best.LastDispatchedAt = now.AddTicks(++tick);
            usage.Add(best.Service, best.UserId, quotas[best.Service].Destination);
        }

        return picks;
    }

    static bool Precedes(DispatchCandidate a, DispatchCandidate b) => Compare(a, b) < 0;

    /// <summary>The planner's order: negative when <paramref name="a"/> is served before <paramref name="b"/>.</summary>
    public static int Compare(DispatchCandidate a, DispatchCandidate b)
    {
        var factor = b.Factor.CompareTo(a.Factor);
        if (factor != 0)
            return factor;
        var served = a.LastDispatchedAt.CompareTo(b.LastDispatchedAt);
        return served != 0 ? served : a.UserId.CompareTo(b.UserId);
    }
}
