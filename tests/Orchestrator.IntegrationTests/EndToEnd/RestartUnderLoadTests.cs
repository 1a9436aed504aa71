using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Orchestrator.IntegrationTests.Infrastructure;

namespace Orchestrator.IntegrationTests.EndToEnd;

/// <summary>
/// Things break while jobs keep coming: the broker restarts, PostgreSQL restarts, and every service is killed (kill -9)
/// and started again in turn. Whatever was accepted (every 201) must end, none may run twice at once, the quota slots
/// must come back and no message may be left in an error queue. Broker and database server are private instances,
/// so stopping them touches no other test.
/// </summary>
public sealed class RestartUnderLoadTests : IAsyncLifetime
{
    const int MaxRuns = 3;
    readonly JobLedger _ledger = new();
    readonly ConcurrentDictionary<long, string> _accepted = new();
    readonly ConcurrentBag<string> _refused = [];
    PrivateRabbitMqServer _broker = null!;
    PrivatePostgresServer _postgres = null!;
    OrchestratorSystem _system = null!;

    public async Task InitializeAsync()
    {
        _broker = await PrivateRabbitMqServer.StartAsync();
        _postgres = await PrivatePostgresServer.CreateAsync();
        _system = await OrchestratorSystem.StartAsync(new Dictionary<string, string>
        {
            ["Orchestrator__Services__generic__MaxRuns"] = MaxRuns.ToString(),
            ["Orchestrator__Services__generic__RunsPerUser"] = MaxRuns.ToString(),
        }, _broker, _postgres);
    }

    public async Task DisposeAsync()
    {
        await _system.DisposeAsync();
        await _broker.DisposeAsync();
        await _postgres.DisposeAsync();
        _ledger.Dispose();
    }

    [Fact]
    public async Task Every_accepted_job_ends_once_through_broker_and_database_restarts_and_each_service_killed_in_turn()
    {
        using var stop = new CancellationTokenSource();
        var load = Task.Run(() => SubmitSteadilyAsync(stop.Token));

        await UntilMoreFinishAsync("before any fault");
        await _broker.StopAsync();
        await _broker.StartAgainAsync();
        await UntilMoreFinishAsync("after the broker restart");
        await _postgres.StopAsync();
        using (var refused = await _system.UploadAsync("echo never > never.txt\n"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.NotNull(refused.Headers.RetryAfter);
        }

        await _postgres.StartAsync();
        await UntilMoreFinishAsync("after the PostgreSQL restart");

        foreach (var service in OrchestratorSystem.AllServices)
        {
            await _system.RestartServiceAsync(service);
            await UntilMoreFinishAsync($"after {service} was killed and started again");
        }

        await stop.CancelAsync();
        await load;
        Assert.True(_accepted.Count >= 10, $"the load should have had jobs accepted; refused: {string.Join("; ", _refused)}");
        // Refusals are 503 (database away) or no answer (Api killed); a 500 would be a failure nobody planned for.
        Assert.DoesNotContain(_refused, r => r.EndsWith(": 500", StringComparison.Ordinal));

        foreach (var (id, token) in _accepted)
        {
            var job = await _system.WaitForFinalStateAsync(id, TimeSpan.FromMinutes(3));
            // A job whose process died with its executor ends Failed (lost), never run again; every other one completes.
            Assert.True(job.State() == "Completed" || (job.State() == "Failed" && job.ExitCode() is null),
                $"{token} (job {id}) is {job.State()} ({job.ExitCode()}): {job.Error()}");
            Assert.True(_ledger.Starts(token) <= 1, $"{token} ran {_ledger.Starts(token)} times:{Environment.NewLine}{_ledger.Contents}");
        }

        Assert.Empty(_ledger.ConcurrentDuplicates());
        Assert.InRange(_ledger.MaxConcurrent(), 0, MaxRuns);
        await Eventually.UntilAsync(
            async () => await _system.Database.ScalarAsync<long>("SELECT count(*) FROM scheduler.active_jobs") == 0
                && await _system.Database.ScalarAsync<long>("SELECT count(*) FROM scheduler.queued_jobs") == 0,
            "every quota slot to be released and nothing left queued");

        var queues = await _system.VirtualHost.QueuesAsync();
        var stuck = queues.Where(q => (q.Key.EndsWith("_error", StringComparison.Ordinal) || q.Key.EndsWith("_skipped", StringComparison.Ordinal)) && q.Value > 0).ToList();
        Assert.True(stuck.Count == 0, $"messages left in error queues: {string.Join(", ", stuck.Select(q => $"{q.Key}={q.Value}"))}");
    }

    /// <summary>A job every 200 ms or so; answers other than 201 (a killed Api, a broker away) are kept, not tracked.</summary>
    async Task SubmitSteadilyAsync(CancellationToken cancellationToken)
    {
        using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        var next = 0;
        while (await WaitAsync(pace, cancellationToken))
        {
            var token = $"job-{next++:0000}";
            var script = _ledger.Start(token) + "sleep 0.3\n" + _ledger.End(token);
            try
            {
                using var response = await _system.UploadAsync(script);
                var text = await response.Content.ReadAsStringAsync(CancellationToken.None);
                if (response.StatusCode == HttpStatusCode.Created)
                    _accepted[JsonDocument.Parse(text).RootElement.GetProperty("id").GetInt64()] = token;
                else
                    _refused.Add($"{token}: {(int)response.StatusCode}");
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                _refused.Add($"{token}: {ex.GetType().Name}");
            }
        }
    }

    static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Waits for a few more accepted jobs to finish, so each fault hits a system that is working.</summary>
    async Task UntilMoreFinishAsync(string when)
    {
        var before = await FinishedAsync();
        try
        {
            await Eventually.UntilAsync(FinishedAsync, n => n >= before + 3, $"more jobs to finish {when}", TimeSpan.FromMinutes(2));
        }
        catch (TimeoutException ex)
        {
            var queues = string.Join(" ", (await _system.VirtualHost.QueuesAsync()).Select(q => $"{q.Key}={q.Value}"));
            throw new TimeoutException($"{ex.Message}{Environment.NewLine}broker queues: {queues}{Environment.NewLine}{await _system.QueueStateAsync()}{_system.Logs}", ex);
        }
    }

    Task<long> FinishedAsync() =>
        _system.Database.ScalarAsync<long>("SELECT count(*) FROM api.jobs WHERE state IN ('Completed', 'Failed', 'Cancelled', 'TimedOut')");
}
