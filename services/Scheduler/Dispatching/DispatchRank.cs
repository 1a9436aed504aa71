namespace Orchestrator.Scheduler.Dispatching;

/// <summary>
/// A candidate's place in the planner's order, taken when it is ranked: the higher fair-share factor first, then the
/// user served longest ago, then the lower user id, then the service by name (the same user in two services).
/// </summary>
public readonly record struct DispatchRank(double Factor, DateTimeOffset LastDispatchedAt, int UserId, string Service) : IComparable<DispatchRank>
{
    public static DispatchRank Of(DispatchCandidate candidate) =>
        new(candidate.Factor, candidate.LastDispatchedAt, candidate.UserId, candidate.Service);

    /// <summary>Negative when this rank is served before <paramref name="other"/>.</summary>
    public int CompareTo(DispatchRank other)
    {
        var factor = other.Factor.CompareTo(Factor);
        if (factor != 0)
            return factor;
        var served = LastDispatchedAt.CompareTo(other.LastDispatchedAt);
        if (served != 0)
            return served;
        var user = UserId.CompareTo(other.UserId);
        return user != 0 ? user : string.CompareOrdinal(Service, other.Service);
    }
}
