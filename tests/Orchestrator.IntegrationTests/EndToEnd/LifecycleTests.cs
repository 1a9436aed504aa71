using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MassTransit;
using Orchestrator.Contracts;
using Orchestrator.IntegrationTests.Infrastructure;
using Orchestrator.Platform.Processes;

namespace Orchestrator.IntegrationTests.EndToEnd;

/// <summary>
/// Cancellation, time limits and queue waits of real processes, through the v1 API. Service <c>single</c> runs one job
/// at a time and reports a job queued for more than a second, so a sleeping job keeps the others queued.
/// </summary>
public sealed class LifecycleTests : IAsyncLifetime
{
    // The script's shell and a child it waits for: a cancelled or timed-out run must take both down.
    const string SleepingScript = "sleep 300 &\necho $! > child.pid\necho $$ > shell.pid\necho started > started.txt\nwait\n";

    readonly ConcurrentQueue<JobQueueWaitExceeded> _waits = new();
    OrchestratorSystem _system = null!;
    TestBus _bus = null!;

    public async Task InitializeAsync()
    {
        _system = await OrchestratorSystem.StartAsync(new Dictionary<string, string>
        {
            ["Orchestrator__Services__single__MaxRuns"] = "1",
            ["Orchestrator__Services__single__RunsPerUser"] = "1",
            ["Orchestrator__Services__single__QueueWaitWarning"] = "00:00:01",
        });
        _bus = await TestBus.StartAsync(_system.VirtualHost, cfg =>
            cfg.ReceiveEndpoint($"lifecycle-waits-{Guid.NewGuid():N}", e => e.Handler<JobQueueWaitExceeded>(context =>
            {
                _waits.Enqueue(context.Message);
                return Task.CompletedTask;
            })));
    }

    public async Task DisposeAsync()
    {
        await _bus.DisposeAsync();
        await _system.DisposeAsync();
    }

    [Fact]
    public async Task Cancelling_a_queued_job_takes_it_out_of_the_queue_and_a_running_one_kills_its_processes()
    {
        var running = await SubmitAsync("single", SleepingScript);
        await UntilStateAsync(running, "Running");
        var (shell, child) = await ProcessesAsync(running);

        var waiting = await SubmitAsync("single", "echo ran > ran.txt\n");
        var cancelledInQueue = await SubmitAsync("single", "echo ran > ran.txt\n");
        await UntilStateAsync(cancelledInQueue, "Queued");

        using (var cancel = await _system.Api.DeleteAsync($"/v1/jobs/{cancelledInQueue}"))
            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        var cancelled = await UntilStateAsync(cancelledInQueue, "Cancelled");
        Assert.Empty(cancelled.GetProperty("attempts").EnumerateArray());
        Assert.Equal(0L, await _system.Database.ScalarAsync<long>(
            $"SELECT count(*) FROM executor.runs WHERE job_id = '{cancelled.GetProperty("jobId").GetGuid()}'"));

        // A job waiting longer than its service's limit is reported and stays queued.
        var waitingJobId = (await JobAsync(waiting)).GetProperty("jobId").GetGuid();
        await Eventually.UntilAsync(() => _waits.Any(w => w.JobId == waitingJobId), "the queue wait of the waiting job to be reported");
        Assert.Equal("Queued", (await JobAsync(waiting)).GetProperty("state").GetString());

        using (var cancel = await _system.Api.DeleteAsync($"/v1/jobs/{running}"))
            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        var killed = await UntilStateAsync(running, "Cancelled");
        Assert.Equal("Cancelled", Assert.Single(killed.GetProperty("attempts").EnumerateArray()).GetProperty("outcome").GetString());
        await UntilGoneAsync(shell, child);

        // The freed slot goes to the job that waited; the cancelled one never ran.
        await UntilStateAsync(waiting, "Completed");
        using (var missing = await _system.Api.GetAsync($"/v1/jobs/{cancelledInQueue}/files/ran.txt"))
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        await Eventually.UntilAsync(
            async () => await _system.Database.ScalarAsync<long>("SELECT count(*) FROM scheduler.active_jobs") == 0
                && await _system.Database.ScalarAsync<long>("SELECT count(*) FROM scheduler.queued_jobs") == 0,
            "no slot held and nothing queued once every job has ended");
    }

    [Fact]
    public async Task A_job_over_its_time_limit_is_killed_and_ends_TimedOut()
    {
        var id = await SubmitAsync("generic", SleepingScript, timeoutSeconds: 2);
        await UntilStateAsync(id, "Running");
        var (shell, child) = await ProcessesAsync(id);

        var job = await UntilStateAsync(id, "TimedOut", TimeSpan.FromSeconds(60));
        Assert.Equal("TimedOut", Assert.Single(job.GetProperty("attempts").EnumerateArray()).GetProperty("outcome").GetString());
        await UntilGoneAsync(shell, child);
        await Eventually.UntilAsync(
            async () => await _system.Database.ScalarAsync<long>("SELECT count(*) FROM scheduler.active_jobs") == 0,
            "the timed-out job's slot to be released");
    }

    [Fact]
    public async Task A_finished_job_leaves_only_its_results_expiry_scheduled()
    {
        // While it waited and ran, the job had a queue-wait warning and a run deadline scheduled; both are cancelled
        // with the run's end, so neither comes back later as a message for a job long done.
        var id = await SubmitAsync("generic", "true\n");
        await UntilStateAsync(id, "Completed");

        var scheduled = await Eventually.UntilAsync(
            () => _system.Database.ScalarAsync<string>(
                "SELECT coalesce(string_agg(message_type || ' -> ' || destination_address, '; '), '') FROM scheduler.scheduled_messages"),
            rows => rows is not null && !rows.Contains(';', StringComparison.Ordinal) && rows.Contains("janitor", StringComparison.Ordinal),
            "only the results expiry to stay scheduled");
        Assert.Contains(nameof(ExpireJobResults), scheduled, StringComparison.Ordinal);
    }

    async Task<string> SubmitAsync(string service, string script, int? timeoutSeconds = null)
    {
        var body = new JsonObject
        {
            ["service"] = service,
            ["user"] = 1,
            ["files"] = new JsonArray(new JsonObject { ["path"] = "run.sh", ["content"] = script }),
        };
        if (timeoutSeconds is not null)
            body["timeoutSeconds"] = timeoutSeconds;
        using var response = await _system.Api.PostAsync("/v1/jobs", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"expected 201, got {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;
    }

    Task<JsonElement> JobAsync(string id) => _system.Api.GetFromJsonAsync<JsonElement>($"/v1/jobs/{id}");

    async Task<JsonElement> UntilStateAsync(string id, string state, TimeSpan? timeout = null)
    {
        try
        {
            return await Eventually.UntilAsync(() => JobAsync(id), j => j.GetProperty("state").GetString() == state,
                $"job {id} to be {state}", timeout);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}{Environment.NewLine}{await _system.QueueStateAsync()}{_system.Logs}", ex);
        }
    }

    /// <summary>The pids the running script wrote: its shell and the child it waits for.</summary>
    async Task<(int Shell, int Child)> ProcessesAsync(string id)
    {
        async Task<int?> Pid(string file)
        {
            using var response = await _system.Api.GetAsync($"/v1/jobs/{id}/files/{file}");
            return response.IsSuccessStatusCode && int.TryParse((await response.Content.ReadAsStringAsync()).Trim(), out var pid) ? pid : null;
        }

        var shell = await Eventually.UntilAsync(() => Pid("shell.pid"), pid => pid is not null, $"job {id} to write its pid");
        var child = await Eventually.UntilAsync(() => Pid("child.pid"), pid => pid is not null, $"job {id} to write its child's pid");
        Assert.True(IsAlive(shell!.Value) && IsAlive(child!.Value), "the job's processes should run before it is stopped");
        return (shell.Value, child.Value);
    }

    static Task UntilGoneAsync(int shell, int child) =>
        Eventually.UntilAsync(() => !IsAlive(shell) && !IsAlive(child), $"processes {shell} and {child} to be gone");

    /// <summary>A pid that is gone or a zombie no longer runs anything.</summary>
    static bool IsAlive(int pid) => ProcessProbe.IsAlive(pid, startTicks: null);
}
