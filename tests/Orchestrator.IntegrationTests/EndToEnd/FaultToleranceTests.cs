using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using Orchestrator.IntegrationTests.Infrastructure;
using Orchestrator.Platform.Processes;

namespace Orchestrator.IntegrationTests.EndToEnd;

/// <summary>Services killed with SIGKILL at awkward moments: jobs still finish, with their real result, and run once.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class FaultToleranceTests(FaultToleranceFixture fixture) : IClassFixture<FaultToleranceFixture>, IAsyncLifetime
{
    readonly JobLedger _ledger = new();
    readonly OrchestratorSystem _system = fixture.System;

    /// <summary>A test that failed half-way may have left a service down; the next one starts from a whole system.</summary>
    public async Task InitializeAsync()
    {
        foreach (var service in OrchestratorSystem.AllServices)
        {
            if (!_system[service].IsRunning)
                await _system.StartServiceAsync(service);
        }
    }

    public Task DisposeAsync()
    {
        _ledger.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_job_outlives_its_killed_executor_and_the_restarted_executor_adopts_it_and_reports_its_result()
    {
        var (id, _) = await _system.SubmitAsync(
            _ledger.Start("adopted") + _ledger.WaitFor("finish") + "echo survived > output.txt\n" + _ledger.End("adopted"));
        var pid = await _system.RunningProcessAsync(id);

        await _system["Executor"].KillAsync();
        Assert.True(IsAlive(pid), "the job's process should keep running without its executor");
        await _system.StartServiceAsync("Executor");

        // Still running after the restart, so the new Executor has to follow this very process to its end.
        Assert.True(IsAlive(pid), "the job should still be running after the Executor restarted");
        Assert.DoesNotContain((await _system.JobAsync(id)).State(), SystemJobs.FinalStates);
        _ledger.Signal("finish");

        var job = await _system.WaitForFinalStateAsync(id);
        Assert.Equal("Completed", job.State());
        Assert.Equal(0, job.ExitCode());
        Assert.Equal("survived", await ReadResultAsync(id, "output.txt"));
        Assert.Equal(1, _ledger.Starts("adopted"));
        Assert.Equal(1, _ledger.Ends("adopted"));
        Assert.Equal(1, await _system.RunCountAsync(id));
    }

    [Fact]
    public async Task A_job_that_ends_while_its_executor_is_down_is_reported_with_its_real_exit_code()
    {
        var (id, directory) = await _system.SubmitAsync("sleep 2\necho partial > output.txt\nexit 3\n");
        await _system.RunningProcessAsync(id);
        var jobId = await _system.JobIdAsync(id);

        await _system["Executor"].KillAsync();
        Assert.NotEqual("Finished",
            await _system.Database.ScalarAsync<string>($"SELECT state FROM executor.runs WHERE job_id = '{jobId}'"));
        await Eventually.UntilAsync(() => File.Exists(Path.Combine(directory, ".orchestrator.exit")),
            "the job to end and record its exit code while the Executor is down");
        await _system.StartServiceAsync("Executor");

        var job = await _system.WaitForFinalStateAsync(id);
        Assert.Equal("Failed", job.State());
        Assert.Equal(3, job.ExitCode());
        Assert.DoesNotContain("executor", job.Error(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("partial", (await File.ReadAllTextAsync(Path.Combine(directory, "output.txt"))).Trim());
        Assert.Equal(1, await _system.RunCountAsync(id));
    }

    [Fact]
    public async Task A_job_whose_process_died_with_its_executor_fails_as_lost_and_is_not_run_again()
    {
        var (id, directory) = await _system.SubmitAsync(
            _ledger.Start("lost") + _ledger.WaitFor("never") + "echo too-late > output.txt\n" + _ledger.End("lost"));
        var pid = await _system.RunningProcessAsync(id);

        await _system["Executor"].KillAsync();
        await KillProcessGroupAsync(pid);
        await Eventually.UntilAsync(() => !IsAlive(pid), $"the job's process group {pid} to die");
        await _system.StartServiceAsync("Executor");

        var job = await _system.WaitForFinalStateAsync(id);
        Assert.Equal("Failed", job.State());
        Assert.Null(job.ExitCode());
        Assert.Contains("executor", job.Error(), StringComparison.OrdinalIgnoreCase);
        using (var download = await _system.Api.GetAsync($"/download/{id}"))
            Assert.Equal(HttpStatusCode.NoContent, download.StatusCode);
        Assert.Equal(1, _ledger.Starts("lost"));
        Assert.Equal(0, _ledger.Ends("lost"));
        Assert.False(File.Exists(Path.Combine(directory, "output.txt")), "the killed job should not have got further");
        Assert.Equal(1, await _system.RunCountAsync(id));
    }

    [Fact]
    public async Task Jobs_submitted_around_scheduler_crashes_all_finish_each_run_exactly_once_within_the_slots()
    {
        const int jobs = 20;
        var ids = new Dictionary<string, long>();
        for (var i = 0; i < jobs; i++)
        {
            var token = $"job-{i:00}";
            var (id, _) = await _system.SubmitAsync(
                _ledger.Start(token) + "sleep 0.5\necho ok > output.txt\n" + _ledger.End(token));
            ids[token] = id;
            // Killed mid-submission: the first jobs are being queued, the rest arrive while it is down.
            if (i == 4)
                await _system["Scheduler"].KillAsync();
        }

        await _system.StartServiceAsync("Scheduler");
        // Killed again once jobs are running, so starts and finishes arrive while it is down.
        await Eventually.UntilAsync(
            () => _system.Database.ScalarAsync<long>("SELECT count(*) FROM api.jobs WHERE state IN ('Running', 'Completed')"),
            n => n > 0, "some job to be running");
        await _system.RestartServiceAsync("Scheduler");

        foreach (var (token, id) in ids)
        {
            var job = await _system.WaitForFinalStateAsync(id);
            Assert.True(job.State() == "Completed", $"{token} (job {id}) is {job.State()}: {job.Error()}");
            Assert.Equal(0, job.ExitCode());
        }

        foreach (var token in ids.Keys)
        {
            Assert.True(_ledger.Starts(token) == 1 && _ledger.Ends(token) == 1,
                $"{token} should have started and ended once:{Environment.NewLine}{_ledger.Contents}");
        }

        Assert.Empty(_ledger.ConcurrentDuplicates());
        Assert.InRange(_ledger.MaxConcurrent(), 1, FaultToleranceFixture.MaxConcurrentJobs);
        foreach (var id in ids.Values)
            Assert.Equal(1, await _system.RunCountAsync(id));
    }

    [Fact]
    public async Task Killing_the_executor_while_jobs_run_and_wait_runs_none_of_them_twice()
    {
        const int jobs = 12;
        var ids = new Dictionary<string, long>();
        for (var i = 0; i < jobs; i++)
        {
            var token = $"run-{i:00}";
            var (id, _) = await _system.SubmitAsync(
                _ledger.Start(token) + "sleep 1\necho ok > output.txt\n" + _ledger.End(token));
            ids[token] = id;
        }

        // Some jobs running, others waiting for a slot in the Executor or still in its queue.
        await Eventually.UntilAsync(
            () => _system.Database.ScalarAsync<long>("SELECT count(*) FROM executor.runs WHERE state = 'Running' AND process_id IS NOT NULL"),
            n => n >= 2, "two jobs to be running");
        await _system["Executor"].KillAsync();
        var runningAtKill = new HashSet<long>();
        foreach (var (_, id) in ids)
        {
            var jobId = await _system.JobIdAsync(id);
            if (await _system.Database.ScalarAsync<long>(
                    $"SELECT count(*) FROM executor.runs WHERE job_id = '{jobId}' AND state = 'Running' AND process_id IS NOT NULL") > 0)
                runningAtKill.Add(id);
        }

        await _system.StartServiceAsync("Executor");

        foreach (var (token, id) in ids)
        {
            var job = await _system.WaitForFinalStateAsync(id);
            var starts = _ledger.Starts(token);
            Assert.True(starts <= 1, $"{token} (job {id}) started {starts} times:{Environment.NewLine}{_ledger.Contents}");
            Assert.Equal(1, await _system.RunCountAsync(id));
            if (job.State() == "Completed")
            {
                Assert.Equal(1, starts);
                Assert.Equal(1, _ledger.Ends(token));
            }
            else
            {
                // Only a job caught between being accepted and its process being recorded may be lost.
                Assert.Equal("Failed", job.State());
                Assert.Contains("executor", job.Error(), StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain(id, runningAtKill);
            }

            if (runningAtKill.Contains(id))
                Assert.True(job.State() == "Completed", $"{token} (job {id}) was running when the Executor died but ended {job.State()}: {job.Error()}");
        }

        Assert.Empty(_ledger.ConcurrentDuplicates());
    }

    async Task<string> ReadResultAsync(long id, string file)
    {
        using var download = await _system.Api.GetAsync($"/download/{id}");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        using var zip = new ZipArchive(await download.Content.ReadAsStreamAsync());
        var entry = zip.GetEntry(file) ?? throw new Xunit.Sdk.XunitException($"{file} missing from the results of job {id}");
        using var reader = new StreamReader(entry.Open());
        return (await reader.ReadToEndAsync()).Trim();
    }

    /// <summary>Alive as the Executor sees it: a zombie left for an absent parent to reap counts as dead.</summary>
    static bool IsAlive(int pid) => ProcessProbe.IsAlive(pid, startTicks: null);

    /// <summary>kill -9 of the job's whole process group: the wrapper that leads its session, bash and what it ran.</summary>
    static async Task KillProcessGroupAsync(int pid)
    {
        var start = new ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"kill -9 -- -{pid}");
        using var kill = Process.Start(start)!;
        var error = await kill.StandardError.ReadToEndAsync();
        await kill.WaitForExitAsync();
        Assert.True(kill.ExitCode == 0, $"kill -9 -- -{pid} failed: {error}");
    }
}
