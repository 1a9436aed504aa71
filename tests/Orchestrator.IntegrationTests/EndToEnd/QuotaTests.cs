using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Orchestrator.IntegrationTests.Infrastructure;

namespace Orchestrator.IntegrationTests.EndToEnd;

/// <summary>Quotas and fairness under load, on the real services.</summary>
public sealed class QuotaTests
{
    [Fact]
    public async Task Five_hundred_jobs_from_five_users_respect_the_quotas_and_take_turns()
    {
        using var runs = new RunLog();
        await using var system = await OrchestratorSystem.StartAsync(new Dictionary<string, string>
        {
            ["Orchestrator__Services__generic__MaxRuns"] = "4",
            ["Orchestrator__Services__generic__RunsPerUser"] = "2",
            ["Executor__MaxConcurrentJobs"] = "8",
        });

        // Users submit in parallel, each its 100 jobs in order, so every user has a backlog from the start.
        var ids = new ConcurrentBag<long>();
        var submitters = Enumerable.Range(1, 5).Select(user => Task.Run(async () =>
        {
            for (var i = 0; i < 100; i++)
            {
                using var response = await system.UploadAsync(runs.Script(user), userId: user);
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                ids.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());
            }
        })).ToList();

        // Sample the slots held while the jobs run: never over the service's 4 or a user's 2.
        var samples = 0;
        var allSubmitted = Task.WhenAll(submitters);
        await Eventually.UntilAsync(async () =>
        {
            var (overall, perUser) = await SlotsInUseAsync(system);
            Assert.True(overall <= 4, $"{overall} slots in use for the service (limit 4)");
            Assert.True(perUser <= 2, $"{perUser} slots in use for one user (limit 2)");
            samples++;
            return allSubmitted.IsCompleted && await CountAsync(system, "SELECT count(*) FROM api.jobs WHERE state = 'Completed'") == 500;
        }, "all 500 jobs to complete", TimeSpan.FromMinutes(8));
        await allSubmitted;

        Assert.True(samples > 10, $"only {samples} samples of the running set were taken");
        Assert.Equal(500, ids.Distinct().Count());
        Assert.Equal(0, await CountAsync(system, "SELECT count(*) FROM scheduler.active_jobs"));
        Assert.Equal(0, await CountAsync(system, "SELECT count(*) FROM scheduler.queued_jobs"));

        // What really ran at once, from the scripts' own stamps.
        var (maxOverall, maxPerUser) = runs.MaxConcurrency();
        Assert.True(maxOverall <= 4, $"{maxOverall} scripts ran at once (limit 4)");
        Assert.True(maxPerUser <= 2, $"{maxPerUser} scripts of one user ran at once (limit 2)");
        var starts = runs.Read().Where(e => e.IsStart).ToList();
        Assert.Equal(500, starts.Select(s => s.JobId).Distinct().Count());
        Assert.Equal(500, starts.Count);

        // Round-robin: while every user still has work, no user gets far ahead of another.
        var counts = new Dictionary<int, int>(Enumerable.Range(1, 5).Select(u => KeyValuePair.Create(u, 0)));
        var worstLead = 0;
        foreach (var start in starts.OrderBy(s => s.Nanoseconds).Take(400))
        {
            counts[start.UserId]++;
            worstLead = Math.Max(worstLead, counts.Values.Max() - counts.Values.Min());
        }

        Assert.True(worstLead <= 4, $"one user got {worstLead} starts ahead of another while all had work queued");
    }

    [Fact]
    public async Task Slots_survive_an_executor_killed_mid_job_and_duplicate_finish_events()
    {
        using var runs = new RunLog();
        await using var system = await OrchestratorSystem.StartAsync(new Dictionary<string, string>
        {
            ["Orchestrator__Services__generic__MaxRuns"] = "1",
            ["Executor__MaxConcurrentJobs"] = "4",
        });

        var first = await SubmitAsync(system, runs.Script(1));
        var firstJob = await WaitForStateAsync(system, first, "Completed");

        var second = await SubmitAsync(system, runs.Script(1, "sleep 3"));
        await WaitForStateAsync(system, second, "Running");
        await system["Executor"].KillAsync();

        // A repeated finish of the first job must not free the slot the second one holds.
        await using (var bus = await TestBus.StartAsync(system.VirtualHost))
            await bus.PublishAsync(new Orchestrator.Contracts.JobFinished(
                firstJob.GetProperty("job_id").GetGuid(), 1, Orchestrator.Contracts.RunOutcomes.Exited, 0, null, DateTimeOffset.UtcNow));
        var third = await SubmitAsync(system, runs.Script(1));

        await system.StartServiceAsync("Executor");
        await WaitForStateAsync(system, second, "Completed");
        await WaitForStateAsync(system, third, "Completed");

        Assert.Equal(0, await CountAsync(system, "SELECT count(*) FROM scheduler.active_jobs"));
        Assert.Equal(1, runs.MaxConcurrency().Overall);
        Assert.Equal(3, runs.Read().Count(e => e.IsStart));
    }

    [Fact]
    public async Task A_user_over_the_queued_limit_gets_429_with_retry_after()
    {
        await using var system = await OrchestratorSystem.StartAsync(new Dictionary<string, string>
        {
            ["Orchestrator__Services__generic__MaxQueuedPerUser"] = "2",
            ["Orchestrator__Destinations__local__Capacity"] = "0",
        });

        await SubmitAsync(system, "true");
        await SubmitAsync(system, "true");
        using var refused = await system.UploadAsync("true");

        Assert.Equal((HttpStatusCode)429, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(refused.Headers.RetryAfter);
        using var otherUser = await system.UploadAsync("true", userId: 2);
        Assert.Equal(HttpStatusCode.Created, otherUser.StatusCode);
    }

    [Fact]
    public async Task A_limit_changed_in_the_configuration_applies_after_a_scheduler_restart_and_no_queued_job_is_lost()
    {
        using var runs = new RunLog();
        var gate = Path.Combine(Path.GetTempPath(), $"quota-gate-{Guid.NewGuid():N}");
        await using var system = await OrchestratorSystem.StartAsync(new Dictionary<string, string>
        {
            ["Orchestrator__Services__generic__MaxRuns"] = "1",
            ["Executor__MaxConcurrentJobs"] = "8",
        });
        try
        {
            // Four users' jobs that run until the test lets them end: one runs, three wait under MaxRuns=1.
            var ids = new List<long>();
            for (var user = 1; user <= 4; user++)
                ids.Add(await SubmitAsync(system, runs.Script(user, $"while [ ! -e {gate} ]; do sleep 0.1; done"), user));
            await Eventually.UntilAsync(() => SlotsInUseAsync(system), slots => slots.Overall == 1, "one job dispatched");
            await Eventually.UntilAsync(() => CountAsync(system, "SELECT count(*) FROM scheduler.queued_jobs"), queued => queued == 3,
                "three jobs queued");

            // The operator raises the limit and restarts the scheduler with it.
            await system["Scheduler"].KillAsync();
            await system.StartInstanceAsync("Scheduler-raised", "Scheduler", new Dictionary<string, string>
            {
                ["Orchestrator__Services__generic__MaxRuns"] = "3",
            });
            await Eventually.UntilAsync(() => SlotsInUseAsync(system), slots => slots.Overall == 3, "three jobs dispatched under the new limit");
            Assert.Equal(1, await CountAsync(system, "SELECT count(*) FROM scheduler.queued_jobs"));
            // The run log is read only once every script is done with it: they hold its lock while they write.
            await Eventually.UntilAsync(() => CountAsync(system, "SELECT count(*) FROM api.jobs WHERE state = 'Running'"), running => running == 3,
                "three jobs running");

            await File.WriteAllTextAsync(gate, "");
            foreach (var id in ids)
                await WaitForStateAsync(system, id, "Completed");
            Assert.Equal(4, runs.Read().Count(e => e.IsStart));
            Assert.Equal(3, runs.MaxConcurrency().Overall);
            Assert.Equal(0, await CountAsync(system, "SELECT count(*) FROM scheduler.active_jobs"));
        }
        finally
        {
            File.Delete(gate);
        }
    }

    [Fact]
    public async Task The_scheduler_reports_how_long_the_oldest_queued_job_of_each_service_has_waited()
    {
        await using var system = await OrchestratorSystem.StartAsync(new Dictionary<string, string>
        {
            ["Orchestrator__Destinations__local__Capacity"] = "0",
        });
        using var scheduler = new HttpClient { BaseAddress = system["Scheduler"].BaseAddress };

        await SubmitAsync(system, "true");

        // Nothing is dispatched to a destination of no capacity: the job's wait shows, and grows between readings.
        var first = await Eventually.UntilAsync(() => OldestAgeAsync(scheduler, "generic"), age => age > 0, "the generic job's wait to show");
        await Eventually.UntilAsync(() => OldestAgeAsync(scheduler, "generic"), age => age > first, "the wait to grow");
        Assert.Equal(0, await OldestAgeAsync(scheduler, "prodigy"));
    }

    static async Task<double> OldestAgeAsync(HttpClient scheduler, string service) =>
        (await scheduler.GetStringAsync("/metrics")).Split('\n')
            .Where(line => line.StartsWith("orchestrator_queue_oldest_age_seconds{", StringComparison.Ordinal)
                && line.Contains($"service=\"{service}\"", StringComparison.Ordinal))
            .Select(line => double.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture))
            .DefaultIfEmpty(double.NaN)
            .Single();

    [Fact]
    public async Task Concurrent_uploads_through_two_api_instances_never_pass_the_queued_limit()
    {
        const int limit = 5;
        await using var apis = await ApiInstances.StartAsync(2, new Dictionary<string, string>
        {
            ["Orchestrator__Services__generic__MaxQueuedPerUser"] = limit.ToString(),
        });
        HttpClient[] clients = [apis.Client(0), apis.Client(1)];

        // Nothing takes the jobs off the queue here: every accepted one stays waiting.
        var responses = await Task.WhenAll(Enumerable.Range(0, 24)
            .Select(i => HostileInputFixture.Upload(clients[i % 2], "true\n", userId: 1)));
        try
        {
            var created = responses.Where(r => r.StatusCode == HttpStatusCode.Created).ToList();
            Assert.Equal(limit, created.Count);
            foreach (var refused in responses.Except(created))
            {
                await ProblemAssert.IsProblemAsync(refused, (HttpStatusCode)429, "Too many queued jobs");
                Assert.NotNull(refused.Headers.RetryAfter);
            }

            Assert.Equal(limit, await apis.Database.ScalarAsync<long>("SELECT count(*) FROM api.jobs WHERE user_id = 1"));
            // A refused upload takes no number: the accepted ones follow each other.
            var numbers = new List<long>();
            foreach (var response in created)
                numbers.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());
            numbers.Sort();
            Assert.Equal(Enumerable.Range((int)numbers[0], limit).Select(n => (long)n), numbers);
        }
        finally
        {
            foreach (var response in responses)
                response.Dispose();
        }

        using var otherUser = await HostileInputFixture.Upload(clients[0], "true\n", userId: 2);
        Assert.Equal(HttpStatusCode.Created, otherUser.StatusCode);
    }

    [Fact]
    public async Task The_scheduler_shows_who_waits_on_which_limit_and_who_goes_next()
    {
        var gate = Path.Combine(Path.GetTempPath(), $"queue-gate-{Guid.NewGuid():N}");
        await using var system = await OrchestratorSystem.StartAsync(new Dictionary<string, string>
        {
            ["Orchestrator__Services__generic__MaxRuns"] = "1",
            ["Orchestrator__Services__generic__RunsPerUser"] = "1",
        });
        try
        {
            // User 1's first job holds the service's only slot until the test lets it end.
            var holder = await SubmitAsync(system, $"while [ ! -e {gate} ]; do sleep 0.1; done");
            await WaitForStateAsync(system, holder, "Running");
            long[] laterOfUser1 = [await SubmitAsync(system, "true"), await SubmitAsync(system, "true")];
            var ofUser2 = await SubmitAsync(system, "true", userId: 2);

            using var scheduler = new HttpClient { BaseAddress = system["Scheduler"].BaseAddress };
            var queue = await Eventually.UntilAsync(() => scheduler.GetFromJsonAsync<JsonElement>("/queue"),
                q => Generic(q).GetProperty("queued").GetInt32() == 3, "the three later jobs queued behind the running one");
            var generic = Generic(queue);
            Assert.Equal(1, generic.GetProperty("running").GetInt32());
            var users = generic.GetProperty("users").EnumerateArray().ToList();
            // User 2 was never served, so it goes first; both wait for the service's one slot.
            Assert.Equal([2, 1], users.Select(u => u.GetProperty("userId").GetInt32()));
            Assert.Equal([1, 2], users.Select(u => u.GetProperty("rank").GetInt32()));
            Assert.Equal([1, 2], users.Select(u => u.GetProperty("queued").GetInt32()));
            Assert.Equal([0, 1], users.Select(u => u.GetProperty("running").GetInt32()));
            Assert.All(users, u => Assert.Equal("MaxRuns", u.GetProperty("waitingOn").GetString()));
            Assert.True(users[1].GetProperty("usage").GetDouble() > 0);
            Assert.Equal(JsonValueKind.Null, users[0].GetProperty("lastDispatchedAt").ValueKind);
            Assert.Empty(queue.GetProperty("next").EnumerateArray());

            using var request = new HttpRequestMessage(HttpMethod.Get, "/queue");
            request.Headers.Accept.ParseAdd("text/plain");
            using var text = await scheduler.SendAsync(request);
            var table = await text.Content.ReadAsStringAsync();
            Assert.True(text.StatusCode == HttpStatusCode.OK, $"{text.StatusCode}: {table}");
            Assert.Equal("text/plain", text.Content.Headers.ContentType?.MediaType);
            Assert.Contains("generic -> local: 1 of 1 running (1 per user), 3 queued", table);

            // Freed, the slot goes where the overview said: user 2 before user 1's next job.
            await File.WriteAllTextAsync(gate, "");
            foreach (var id in laterOfUser1.Append(ofUser2))
                await WaitForStateAsync(system, id, "Completed");
            var firstDispatched = await system.Database.ScalarAsync<long>(
                "SELECT job_number FROM scheduler.job_sagas WHERE user_id IN (1, 2) AND job_number <> " + holder + " ORDER BY dispatched_at LIMIT 1");
            Assert.Equal(ofUser2, firstDispatched);
            queue = await scheduler.GetFromJsonAsync<JsonElement>("/queue");
            Assert.Equal(0, Generic(queue).GetProperty("queued").GetInt32());
        }
        finally
        {
            File.Delete(gate);
        }

        static JsonElement Generic(JsonElement queue) =>
            queue.GetProperty("services").EnumerateArray().Single(s => s.GetProperty("service").GetString() == "generic");
    }

    static async Task<long> SubmitAsync(OrchestratorSystem system, string script, int userId = 1)
    {
        using var response = await system.UploadAsync(script, userId);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    static Task<JsonElement> WaitForStateAsync(OrchestratorSystem system, long id, string state) =>
        Eventually.UntilAsync(() => system.Api.GetFromJsonAsync<JsonElement>($"/jobs/{id}"),
            job => job.GetProperty("state").GetString() == state, $"job {id} to be {state}", TimeSpan.FromMinutes(2));

    static async Task<(long Overall, long PerUser)> SlotsInUseAsync(OrchestratorSystem system)
    {
        var overall = await CountAsync(system, "SELECT count(*) FROM scheduler.active_jobs WHERE service = 'generic'");
        var perUser = await CountAsync(system, "SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM scheduler.active_jobs GROUP BY user_id) s");
        return (overall, perUser);
    }

    static async Task<long> CountAsync(OrchestratorSystem system, string sql) =>
        await system.Database.ScalarAsync<long>(sql);
}
