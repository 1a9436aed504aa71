namespace Orchestrator.Scheduler.Dispatching;

/// <summary>
/// Chooses which users' oldest jobs get the free slots: the eligible candidate with the highest fair-share factor
/// first, ties to the one served longest ago. Each choice charges the user, so the next choice moves on to others.
/// Works on users with queued work only, never on the queue itself, so its cost does not grow with the backlog; the
/// candidates wait in a priority queue, so a pass over many waiting users costs a logarithm of their number per
/// choice rather than a look at each of them.
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
        var waiting = new PriorityQueue<DispatchCandidate, DispatchRank>(candidates
            .Where(c => c.Queued > 0 && quotas.ContainsKey(c.Service))
            .Select(c => (c, DispatchRank.Of(c))));
        var picks = new List<DispatchCandidate>();
        var tick = 0;
        while (picks.Count < batchSize && waiting.TryDequeue(out var best, out _))
        {
            // Slots are only taken during a pass, never given back, so a candidate held back by a limit now stays held
            // back until the pass ends: it is dropped rather than looked at again.
            var quota = quotas[best.Service];
            if (usage.Service(best.Service) >= quota.MaxRuns
                || usage.User(best.Service, best.UserId) >= quota.RunsPerUser
                || usage.Destination(quota.Destination) >= destinationCapacity.GetValueOrDefault(quota.Destination))
                continue;

            picks.Add(best);
            best.Queued--;
            best.Usage += ChargePerDispatch;
            best.LastDispatchedAt = now.AddTicks(++tick);
            usage.Add(best.Service, best.UserId, quota.Destination);
            if (best.Queued > 0)
                waiting.Enqueue(best, DispatchRank.Of(best));
        }

        return picks;
    }

    /// <summary>The planner's order: negative when <paramref name="a"/> is served before <paramref name="b"/>.</summary>
    public static int Compare(DispatchCandidate a, DispatchCandidate b) => DispatchRank.Of(a).CompareTo(DispatchRank.Of(b));
}
