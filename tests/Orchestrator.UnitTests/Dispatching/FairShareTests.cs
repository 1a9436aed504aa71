using Orchestrator.Scheduler.Dispatching;

namespace Orchestrator.UnitTests.Dispatching;

public sealed class FairShareTests
{
    static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Usage_halves_every_half_life()
    {
        var halfLife = TimeSpan.FromHours(1);
        Assert.Equal(8.0, FairShare.Decay(8, Now, Now, halfLife), 6);
        Assert.Equal(4.0, FairShare.Decay(8, Now, Now.AddHours(1), halfLife), 6);
        Assert.Equal(1.0, FairShare.Decay(8, Now, Now.AddHours(3), halfLife), 6);
    }

    [Fact]
    public void The_factor_falls_with_usage_and_rises_with_share()
    {
        Assert.Equal(1.0, FairShare.Factor(0, 1), 6);
        Assert.Equal(0.5, FairShare.Factor(1, 1), 6);
        Assert.Equal(0.5, FairShare.Factor(2, 2), 6);
        Assert.True(FairShare.Factor(3, 2) > FairShare.Factor(3, 1));
    }

    [Fact]
    public void Users_with_equal_shares_alternate_whatever_their_backlog()
    {
        var heavy = Candidate(1, queued: 10_000);
        var light = Candidate(2, queued: 3);
        var picks = Plan([heavy, light], maxRuns: 6, runsPerUser: 6);

        Assert.Equal([1, 2, 1, 2, 1, 2], picks);
    }

    [Fact]
    public void A_user_with_twice_the_share_gets_twice_the_slots()
    {
        var big = Candidate(1, queued: 100, share: 2);
        var small = Candidate(2, queued: 100, share: 1);
        var picks = Plan([big, small], maxRuns: 30, runsPerUser: 30);

        Assert.Equal(20, picks.Count(p => p == 1));
        Assert.Equal(10, picks.Count(p => p == 2));
    }

    [Fact]
    public void Past_usage_puts_a_user_behind_until_it_decays()
    {
        var busy = Candidate(1, queued: 5, usage: 3);
        var fresh = Candidate(2, queued: 5);
        var picks = Plan([busy, fresh], maxRuns: 5, runsPerUser: 5);

        // Usage 3 weighs like three dispatches: the fresh user gets three before the busy one gets its first.
        Assert.Equal([2, 2, 2, 1, 2], picks);
    }

    [Fact]
    public void Quotas_of_service_user_and_destination_are_never_exceeded()
    {
        var candidates = Enumerable.Range(1, 5).Select(u => Candidate(u, queued: 100)).ToList();
        var usage = new SlotUsage();
        usage.Add("generic", 1, "local");
        var picks = DispatchPlanner.Plan(candidates, Quotas(maxRuns: 4, runsPerUser: 2), Capacity(100), usage, 100, Now);

        Assert.Equal(3, picks.Count);
        Assert.Equal(4, usage.Service("generic"));
        Assert.All(Enumerable.Range(1, 5), u => Assert.True(usage.User("generic", u) <= 2));

        var paused = DispatchPlanner.Plan([Candidate(9, queued: 5)], Quotas(10, 5), Capacity(0), new SlotUsage(), 100, Now);
        Assert.Empty(paused);
    }

    [Fact]
    public void The_planner_stops_at_the_batch_size_and_when_nobody_has_work()
    {
        var picks = DispatchPlanner.Plan([Candidate(1, queued: 100)], Quotas(100, 100), Capacity(100), new SlotUsage(), 7, Now);
        Assert.Equal(7, picks.Count);

        var none = DispatchPlanner.Plan([Candidate(1, queued: 2)], Quotas(100, 100), Capacity(100), new SlotUsage(), 7, Now);
        Assert.Equal(2, none.Count);
    }

    static List<int> Plan(IReadOnlyList<DispatchCandidate> candidates, int maxRuns, int runsPerUser) =>
        DispatchPlanner.Plan(candidates, Quotas(maxRuns, runsPerUser), Capacity(1000), new SlotUsage(), 1000, Now)
            .Select(p => p.UserId).ToList();

    static DispatchCandidate Candidate(int userId, int queued, double share = 1, double usage = 0) => new()
    {
        Service = "generic",
        UserId = userId,
        Queued = queued,
        Share = share,
        Usage = usage,
        LastDispatchedAt = DateTimeOffset.UnixEpoch,
    };

    static Dictionary<string, ServiceQuota> Quotas(int maxRuns, int runsPerUser) =>
        new() { ["generic"] = new ServiceQuota("local", maxRuns, runsPerUser) };

    static Dictionary<string, int> Capacity(int slots) => new() { ["local"] = slots };
}
