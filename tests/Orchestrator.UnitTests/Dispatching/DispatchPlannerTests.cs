using Orchestrator.Scheduler.Dispatching;

namespace Orchestrator.UnitTests.Dispatching;

/// <summary>
/// The planner keeps its candidates in a priority queue; what it must choose is defined by the plain rule below, one
/// choice at a time: the best eligible candidate by <see cref="DispatchRank"/>. Random scenarios compare the two.
/// </summary>
public sealed class DispatchPlannerTests
{
    static readonly DateTimeOffset Now = new(2026, 12, 8, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_planner_makes_the_choices_the_one_at_a_time_rule_makes()
    {
        var random = new Random(20261208);
        for (var scenario = 0; scenario < 500; scenario++)
        {
            var quotas = new Dictionary<string, ServiceQuota>
            {
                ["prodigy"] = new("local", random.Next(0, 12), random.Next(1, 6)),
                ["haddock"] = new("local", random.Next(0, 12), random.Next(1, 6)),
                ["disvis"] = new("slurm", random.Next(0, 12), random.Next(1, 6)),
            };
            var capacity = new Dictionary<string, int> { ["local"] = random.Next(0, 16), ["slurm"] = random.Next(0, 8) };
            string[] services = ["prodigy", "haddock", "disvis", "removed"];
            var candidates = Enumerable.Range(0, random.Next(0, 40)).Select(_ => new DispatchCandidate
            {
                Service = services[random.Next(services.Length)],
                UserId = random.Next(1, 12),
                Queued = random.Next(0, 6),
                Share = new[] { 0.5, 1, 1, 2, 3 }[random.Next(5)],
                Usage = random.Next(0, 4) * 0.5,
                // Few distinct times, so ties on factor and on time happen.
                LastDispatchedAt = Now.AddMinutes(-random.Next(0, 3)),
            }).DistinctBy(c => (c.Service, c.UserId)).ToList();
            var usage = new SlotUsage();
            for (var i = random.Next(0, 6); i > 0; i--)
            {
                var service = services[random.Next(3)];
                usage.Add(service, random.Next(1, 12), quotas[service].Destination);
            }

            var batch = random.Next(1, 30);
            var expectedCandidates = candidates.Select(c => c.Copy()).ToList();
            var expectedUsage = usage.Copy();
            var expected = OneAtATime(expectedCandidates, quotas, capacity, expectedUsage, batch);
            var actual = DispatchPlanner.Plan(candidates, quotas, capacity, usage, batch, Now);

            Assert.Equal(expected.Select(p => (p.Service, p.UserId)), actual.Select(p => (p.Service, p.UserId)));
            Assert.Equal(expectedCandidates.Select(c => (c.Queued, c.Usage, c.LastDispatchedAt)),
                candidates.Select(c => (c.Queued, c.Usage, c.LastDispatchedAt)));
            foreach (var service in services)
                Assert.Equal(expectedUsage.Service(service), usage.Service(service));
        }
    }

    /// <summary>The rule itself: look at every candidate for each choice.</summary>
    static List<DispatchCandidate> OneAtATime(
        List<DispatchCandidate> candidates, Dictionary<string, ServiceQuota> quotas, Dictionary<string, int> capacity, SlotUsage usage, int batch)
    {
        var picks = new List<DispatchCandidate>();
        var tick = 0;
        while (picks.Count < batch)
        {
            var best = candidates
                .Where(c => c.Queued > 0 && quotas.TryGetValue(c.Service, out var q)
                    && usage.Service(c.Service) < q.MaxRuns
                    && usage.User(c.Service, c.UserId) < q.RunsPerUser
                    && usage.Destination(q.Destination) < capacity.GetValueOrDefault(q.Destination))
                .OrderBy(DispatchRank.Of)
                .FirstOrDefault();
            if (best is null)
                break;
            picks.Add(best);
            best.Queued--;
            best.Usage += DispatchPlanner.ChargePerDispatch;
            best.LastDispatchedAt = Now.AddTicks(++tick);
            usage.Add(best.Service, best.UserId, quotas[best.Service].Destination);
        }

        return picks;
    }
}
