using Orchestrator.Scheduler.Dispatching;
using Orchestrator.Scheduler.Monitoring;

namespace Orchestrator.UnitTests.Dispatching;

/// <summary>The queue overview tells the planner's order and limits as they are, and previews without changing them.</summary>
public sealed class QueueOverviewTests
{
    static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    static readonly DispatchLimits Limits = new(
        new Dictionary<string, ServiceQuota>
        {
            ["prodigy"] = new("local", MaxRuns: 4, RunsPerUser: 2),
            ["haddock"] = new("local", MaxRuns: 10, RunsPerUser: 10),
        },
        new Dictionary<string, int> { ["local"] = 6 });

    [Fact]
    public void Users_are_ranked_in_the_order_the_planner_serves_them()
    {
        DispatchCandidate[] users =
        [
            User("prodigy", 1, queued: 5, usage: 3, servedAt: Now.AddMinutes(-1)),
            User("prodigy", 2, queued: 1),
            User("prodigy", 3, queued: 9, usage: 3, share: 2, servedAt: Now.AddMinutes(-2)),
        ];

        var prodigy = Build(users, new SlotUsage()).Services.Single(s => s.Service == "prodigy");

        // Never served first; then the larger share at equal usage.
        Assert.Equal([2, 3, 1], prodigy.Users.Select(u => u.UserId));
        Assert.Equal([1, 2, 3], prodigy.Users.Select(u => u.Rank!.Value));
        Assert.Equal(15, prodigy.Queued);
        Assert.Null(prodigy.Users[0].LastDispatchedAt);
        Assert.Equal(Now.AddMinutes(-2), prodigy.Users[1].LastDispatchedAt);
        Assert.Equal(FairShare.Factor(3, 2), prodigy.Users[1].Factor, 9);
    }

    [Fact]
    public void Each_user_is_told_the_first_limit_that_holds_its_jobs()
    {
        var usage = new SlotUsage();
        usage.Add("prodigy", 1, "local");
        usage.Add("prodigy", 1, "local");
        DispatchCandidate[] users = [User("prodigy", 1, queued: 3), User("prodigy", 2, queued: 1)];

        var overview = Build(users, usage);
        var prodigy = overview.Services.Single(s => s.Service == "prodigy");
        Assert.Equal(QueueOverviewBuilder.RunsPerUser, prodigy.Users.Single(u => u.UserId == 1).WaitingOn);
        Assert.Null(prodigy.Users.Single(u => u.UserId == 2).WaitingOn);
        Assert.Equal(2, prodigy.Users.Single(u => u.UserId == 1).Running);

        usage.Add("prodigy", 2, "local");
        usage.Add("prodigy", 2, "local");
        prodigy = Build(users, usage).Services.Single(s => s.Service == "prodigy");
        Assert.All(prodigy.Users, u => Assert.Equal(QueueOverviewBuilder.MaxRuns, u.WaitingOn));

        // The destination is shared: haddock's slots fill it for everyone routed there.
        var full = new SlotUsage();
        for (var i = 0; i < 6; i++)
            full.Add("haddock", 9, "local");
        var blocked = Build([User("prodigy", 1, queued: 1), User("haddock", 9, queued: 1)], full);
        Assert.All(blocked.Services.SelectMany(s => s.Users), u => Assert.Equal(QueueOverviewBuilder.Capacity, u.WaitingOn));
        Assert.Equal(6, blocked.Destinations.Single().InUse);
        Assert.Empty(blocked.Next);
    }

    [Fact]
    public void The_preview_is_the_plan_and_leaves_the_inputs_as_they_were()
    {
        var usage = new SlotUsage();
        usage.Add("prodigy", 1, "local");
        var heavy = User("prodigy", 1, queued: 10, usage: 1, servedAt: Now.AddSeconds(-5));
        var light = User("prodigy", 2, queued: 1);
        var holding = User("haddock", 7, queued: 0);
        DispatchCandidate[] users = [heavy, light, holding];

        var overview = Build(users, usage);

        // Three slots left for prodigy (4 - 1), user 1 at most one more (2 - 1): user 2, then user 1, then none.
        Assert.Equal([new NextDispatchView("prodigy", 2), new NextDispatchView("prodigy", 1)], overview.Next);
        Assert.Equal(10, heavy.Queued);
        Assert.Equal(1.0, heavy.Usage);
        Assert.Equal(1, usage.Service("prodigy"));
        // A user holding slots with nothing queued is listed without a rank.
        var haddock = overview.Services.Single(s => s.Service == "haddock").Users.Single();
        Assert.Equal((7, null as int?, null as string), (haddock.UserId, haddock.Rank, haddock.WaitingOn));
    }

    [Fact]
    public void Jobs_of_a_service_no_longer_configured_are_shown_waiting_on_that_and_never_planned()
    {
        var overview = Build([User("disvis", 4, queued: 3), User("prodigy", 1, queued: 1)], new SlotUsage());

        var disvis = overview.Services.Single(s => s.Service == "disvis");
        Assert.Null(disvis.Destination);
        Assert.Equal(3, disvis.Queued);
        var user = disvis.Users.Single();
        Assert.Equal((4, null as int?, QueueOverviewBuilder.NotConfigured), (user.UserId, user.Rank, user.WaitingOn));
        Assert.Equal([new NextDispatchView("prodigy", 1)], overview.Next);
        Assert.Contains("disvis (not configured: nothing is dispatched): 0 running, 3 queued", QueueOverviewText.Render(overview));
    }

    [Fact]
    public void The_text_form_has_a_line_per_service_and_user()
    {
        var usage = new SlotUsage();
        usage.Add("prodigy", 1, "local");
        var text = QueueOverviewText.Render(Build([User("prodigy", 1, queued: 2), User("prodigy", 2, queued: 1)], usage));

        Assert.Contains("prodigy -> local: 1 of 4 running (2 per user), 3 queued", text);
        Assert.Contains("haddock -> local: 0 of 10 running (10 per user), 0 queued", text);
        Assert.Contains("Destinations: local 1 of 6", text);
        Assert.Contains("Next dispatches: prodigy/", text);
        var rows = text.Split('\n').Where(l => l.TrimStart().StartsWith('1') || l.TrimStart().StartsWith('2')).ToList();
        Assert.Equal(2, rows.Count);
    }

    static QueueOverview Build(IReadOnlyList<DispatchCandidate> users, SlotUsage usage) =>
        QueueOverviewBuilder.Build(users, Limits, usage, preview: 10, Now);

    static DispatchCandidate User(string service, int userId, int queued, double usage = 0, double share = 1, DateTimeOffset? servedAt = null) => new()
    {
        Service = service,
        UserId = userId,
        Queued = queued,
        Usage = usage,
        Share = share,
        LastDispatchedAt = servedAt ?? DateTimeOffset.UnixEpoch,
    };
}
