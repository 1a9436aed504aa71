using System.Net;
using Xunit.Abstractions;
using System.Net.Http.Json;
using System.Text.Json;
using Orchestrator.IntegrationTests.EndToEnd;
using Orchestrator.IntegrationTests.Infrastructure;

namespace Orchestrator.IntegrationTests.Observability;

/// <summary>
/// A real Prometheus scrapes the four services' <c>/metrics</c>; after jobs ran, its query API shows the job
/// counters, histograms and gauges that the dashboards are built on.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class PrometheusScrapeTests(ITestOutputHelper output) : IAsyncLifetime
{
    static readonly Dictionary<string, string> JobNames = new()
    {
        ["Api"] = "orchestrator-api",
        ["Scheduler"] = "orchestrator-scheduler",
        ["Executor"] = "orchestrator-executor",
        ["Janitor"] = "orchestrator-janitor",
    };

    OrchestratorSystem _system = null!;
    PrometheusServer _prometheus = null!;

    public async Task InitializeAsync()
    {
        _system = await OrchestratorSystem.StartAsync();
        _prometheus = await PrometheusServer.StartAsync(
            JobNames.ToDictionary(s => s.Value, s => _system[s.Key].BaseAddress));
    }

    public async Task DisposeAsync()
    {
        await _prometheus.DisposeAsync();
        await _system.DisposeAsync();
    }

    [Fact]
    public async Task Prometheus_sees_the_job_counters_move_after_jobs_ran()
    {
        await Eventually.UntilAsync(async () => (await _prometheus.QueryAsync("up == 1")).Count,
            up => up == JobNames.Count, "Prometheus to scrape every service");
        var submittedBefore = await _prometheus.ScalarAsync("sum(orchestrator_jobs_submitted_total{service=\"generic\"})");
        var completedBefore = await FinishedAsync("Completed");
        var failedBefore = await FinishedAsync("Failed");

        // A job that holds its quota slot until the test lets it go, so the slots gauge has something to show.
        var held = await _system.UploadAsync("while [ ! -f release ]; do sleep 0.2; done\n", userId: 7);
        Assert.Equal(HttpStatusCode.Created, held.StatusCode);
        var heldDirectory = (await held.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("loc").GetString()!;
        await Eventually.UntilAsync(
            () => _prometheus.ScalarAsync("sum(orchestrator_quota_slots_in_use{service=\"generic\",user=\"7\",destination=\"local\"})"),
            value => value >= 1, "the quota slot of user 7's running job");
        await File.WriteAllTextAsync(Path.Combine(heldDirectory, "release"), "");

        var numbers = new List<long>();
        foreach (var script in new[] { "echo one\n", "echo two\n", "exit 4\n" })
        {
            var upload = await _system.UploadAsync(script);
            Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
            numbers.Add((await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());
        }

        foreach (var number in numbers)
        {
            await Eventually.UntilAsync(() => _system.Api.GetFromJsonAsync<JsonElement>($"/jobs/{number}"),
                j => j.GetProperty("state").GetString() is "Completed" or "Failed", $"job {number} to end");
        }

        await Eventually.UntilAsync(
            () => _prometheus.ScalarAsync("sum(orchestrator_jobs_submitted_total{service=\"generic\",destination=\"local\"})"),
            value => value >= submittedBefore + 4, "the submitted counter to count the four jobs");
        await Eventually.UntilAsync(() => FinishedAsync("Completed"), value => value >= completedBefore + 3,
            "three more completed jobs");
        await Eventually.UntilAsync(() => FinishedAsync("Failed"), value => value >= failedBefore + 1,
            "one more failed job");

        // The histograms behind the latency panels, and the scheduler's gauges.
        await Eventually.UntilAsync(() => _prometheus.ScalarAsync("sum(orchestrator_jobs_run_time_seconds_count{service=\"generic\"})"),
            value => value >= 3, "three run times");
        await Eventually.UntilAsync(() => _prometheus.ScalarAsync("sum(orchestrator_jobs_queue_wait_seconds_count{service=\"generic\"})"),
            value => value >= 3, "three queue waits");
        await Eventually.UntilAsync(async () => (await _prometheus.QueryAsync("orchestrator_jobs_by_state{job=\"orchestrator-scheduler\"}")).Count,
            series => series > 0, "the scheduler's jobs-by-state gauge");
        // A state no job is in reads 0, not "no data", so the dashboard's Queued panel drops to 0 when the queue empties.
        await Eventually.UntilAsync(() => _prometheus.QueryAsync("orchestrator_jobs_by_state{job=\"orchestrator-scheduler\",state=\"Queued\"}"),
            series => series.Count == 1 && series[0].Value == 0, "Queued reported as 0 once every job ran");
        await Eventually.UntilAsync(() => _prometheus.QueryAsync("orchestrator_queue_oldest_age_seconds{job=\"orchestrator-scheduler\",service=\"generic\"}"),
            series => series.Count == 1 && series[0].Value == 0, "no wait in an empty queue");
        Assert.NotEmpty(await _prometheus.QueryAsync("http_server_request_duration_seconds_count{job=\"orchestrator-api\"}"));
        Assert.NotEmpty(await _prometheus.QueryAsync("orchestrator_outbox_backlog"));
        // The names the dashboards are built on, for whoever changes an instrument.
        var names = (await _prometheus.QueryAsync("count by (__name__, job) ({__name__=~\"orchestrator_.+|messaging_masstransit_.+|http_server_.+\"})"))
            .Select(n => $"{n.Labels["job"]} {n.Labels["__name__"]}").Order().ToList();
        foreach (var name in names)
            output.WriteLine(name);
        // The alert rules name only what the services export.
        var alerts = await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "deploy", "prometheus", "alerts.yml"));
        foreach (var metric in System.Text.RegularExpressions.Regex.Matches(alerts, @"\borchestrator_[a-z_]+").Select(m => m.Value).Distinct())
            Assert.Contains(names, n => n.EndsWith(" " + metric, StringComparison.Ordinal));

        // MassTransit's own meter: messages consumed by the services. Its counters have the unit "ea", which the
        // exporter may add to the name.
        try
        {
            await Eventually.UntilAsync(() => _prometheus.ScalarAsync("sum({__name__=~\"messaging_masstransit_consume(_ea)?_total\"})"),
                value => value > 0, "MassTransit's consume counter");
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}; series: {string.Join(", ", names)}", ex);
        }
    }

    Task<double> FinishedAsync(string state) =>
        _prometheus.ScalarAsync($"sum(orchestrator_jobs_finished_total{{service=\"generic\",state=\"{state}\"}})");
}
