using System.IO.Compression;
using System.Net;
using System.Text.Json;
using Orchestrator.IntegrationTests.Infrastructure;

namespace Orchestrator.IntegrationTests.EndToEnd;

/// <summary>
/// Jobs of a service routed to the <c>slurm</c> destination, run by the machine's real Slurm through the services
/// as processes: what the portal sees, and what Slurm itself recorded.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class SlurmTests(SlurmFixture fixture) : IClassFixture<SlurmFixture>, IAsyncLifetime
{
    readonly OrchestratorSystem _system = fixture.System;

    /// <summary>A test that failed half-way may have left the Slurm executor down; the next one starts it again.</summary>
    public async Task InitializeAsync()
    {
        if (!_system["Executor-slurm"].IsRunning)
            await _system.StartServiceAsync("Executor-slurm");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_job_runs_as_a_slurm_job_with_the_service_resources_and_its_zip_holds_the_output()
    {
        var (id, directory) = await SubmitWithDirectoryAsync(SlurmFixture.Service, "echo \"hello from slurm job $SLURM_JOB_ID\" > output.txt\necho to-stdout\n");

        var job = await _system.WaitForFinalStateAsync(id);

        Assert.True(job.State() == "Completed", $"job {id} is {job.State()}: {job.Error()}{Environment.NewLine}{_system.Logs}");
        Assert.Equal(0, job.ExitCode());
        var slurmJobId = await SlurmJobIdAsync(id);
        var files = await ResultsAsync(id);
        Assert.Equal($"hello from slurm job {slurmJobId}", files["output.txt"]);
        Assert.Equal("to-stdout", files["stdout.log"]);
        var record = await EndedInSlurmAsync(id, "JobID,State,ExitCode,ReqCPUS,ReqMem,WorkDir");
        Assert.Equal([slurmJobId, "COMPLETED", "0:0", "1", $"{SlurmFixture.MemoryMb}M"], record[..5]);
        Assert.Equal(directory.TrimEnd('/'), record[5].TrimEnd('/'));
    }

    [Fact]
    public async Task A_script_exiting_non_zero_fails_with_its_exit_code_and_slurms_reason()
    {
        var (id, directory) = await SubmitWithDirectoryAsync(SlurmFixture.Service, "echo broken >&2\nexit 3\n");

        var job = await _system.WaitForFinalStateAsync(id);

        Assert.Equal("Failed", job.State());
        Assert.Equal(3, job.ExitCode());
        Assert.Contains("FAILED (exit code 3", job.Error());
        Assert.Equal("broken", FilesIn(directory)["stderr.log"]);
        var record = await EndedInSlurmAsync(id);
        Assert.Equal(["FAILED", "3:0"], record[1..3]);
    }

    /// <summary>
    /// Slurm's own wall time is whole minutes (and enforced every ~30 s), so this 3 s limit is the executor's:
    /// past it the executor scancels the job. The Slurm limit (1 minute here) is the backstop; a Slurm TIMEOUT maps
    /// to TimedOut too (unit-tested in SlurmStatesTests).
    /// </summary>
    [Fact]
    public async Task A_job_over_its_time_limit_is_cancelled_in_slurm_and_times_out()
    {
        var id = await SubmitAsync(SlurmFixture.ShortService, "echo started > started.txt\nsleep 300\necho too-late > output.txt\n");

        var job = await _system.WaitForFinalStateAsync(id);

        Assert.True(job.State() == "TimedOut", $"job {id} is {job.State()}: {job.Error()}");
        Assert.Contains("limit of 3 s", job.Error());
        var record = await EndedInSlurmAsync(id, "JobID,State,ExitCode,Timelimit");
        Assert.StartsWith("CANCELLED", record[1]);
        Assert.Equal("00:01:00", record[3]);
        Assert.Null(await SlurmCluster.QueueStateAsync(record[0]));
    }

    [Fact]
    public async Task Terminating_a_running_slurm_job_scancels_it_and_gives_its_slot_back()
    {
        var id = await SubmitAsync(SlurmFixture.Service, "sleep 300\n");
        var slurmJobId = await SlurmJobIdAsync(id);
        await Eventually.UntilAsync(async () => (await _system.JobAsync(id)).State(), s => s == "Running", $"job {id} to run");
        Assert.Equal("RUNNING", await SlurmCluster.QueueStateAsync(slurmJobId));

        using (var terminate = await _system.Api.PostAsync($"/terminate/{id}", null))
            Assert.Equal(HttpStatusCode.OK, terminate.StatusCode);

        var job = await _system.WaitForFinalStateAsync(id);
        Assert.Equal("Cancelled", job.State());
        var record = await EndedInSlurmAsync(id);
        Assert.StartsWith("CANCELLED", record[1]);
        var jobId = await _system.JobIdAsync(id);
        await Eventually.UntilAsync(
            () => _system.Database.ScalarAsync<long>($"SELECT count(*) FROM scheduler.active_jobs WHERE job_id = '{jobId}'"),
            n => n == 0, $"the scheduler to release job {id}'s slot");

        // The Slurm executor has one slot: the next job runs only if the cancelled one gave it back.
        var next = await SubmitAsync(SlurmFixture.Service, "echo next > output.txt\n");
        Assert.Equal("Completed", (await _system.WaitForFinalStateAsync(next)).State());
    }

    [Fact]
    public async Task A_restarted_executor_reattaches_to_the_running_slurm_job_instead_of_submitting_it_again()
    {
        var signal = Path.Combine(fixture.SignalDirectory, $"finish-{Guid.NewGuid():N}");
        var id = await SubmitAsync(SlurmFixture.Service,
            $"while [ ! -e {signal} ]; do sleep 0.2; done\necho survived > output.txt\nexit 0\n");
        var slurmJobId = await SlurmJobIdAsync(id);
        await Eventually.UntilAsync(async () => (await _system.JobAsync(id)).State(), s => s == "Running", $"job {id} to run");

        await _system["Executor-slurm"].KillAsync();
        Assert.Equal("RUNNING", await SlurmCluster.QueueStateAsync(slurmJobId));
        await _system.StartServiceAsync("Executor-slurm");
        Assert.DoesNotContain((await _system.JobAsync(id)).State(), SystemJobs.FinalStates);
        await File.WriteAllTextAsync(signal, "");

        var job = await _system.WaitForFinalStateAsync(id);
        Assert.True(job.State() == "Completed", $"job {id} is {job.State()}: {job.Error()}");
        Assert.Equal("survived", (await ResultsAsync(id))["output.txt"]);
        var jobName = fixture.JobName(await _system.JobIdAsync(id));
        Assert.Equal(slurmJobId, (await EndedInSlurmAsync(id))[0]);
        Assert.Single(File.ReadAllLines(fixture.CommandLog), line => line.StartsWith("sbatch", StringComparison.Ordinal) && line.EndsWith(jobName, StringComparison.Ordinal));
        Assert.Equal(1, await _system.RunCountAsync(id));
    }

    /// <summary>
    /// The executor dies between sbatch's answer and storing the Slurm job id: the state that leaves is made by
    /// clearing the stored id while the executor is down. The restarted executor finds the Slurm job by its name.
    /// </summary>
    [Fact]
    public async Task A_restarted_executor_finds_by_name_a_slurm_job_whose_id_it_had_not_stored()
    {
        var signal = Path.Combine(fixture.SignalDirectory, $"finish-{Guid.NewGuid():N}");
        var id = await SubmitAsync(SlurmFixture.Service, $"while [ ! -e {signal} ]; do sleep 0.2; done\necho found > output.txt\n");
        var slurmJobId = await SlurmJobIdAsync(id);
        var jobId = await _system.JobIdAsync(id);

        await _system["Executor-slurm"].KillAsync();
        await _system.Database.ExecuteAsync($"UPDATE executor.runs SET external_id = NULL WHERE job_id = '{jobId}'");
        await _system.StartServiceAsync("Executor-slurm");
        Assert.Equal(slurmJobId, await _system.Database.ScalarAsync<string>($"SELECT external_id FROM executor.runs WHERE job_id = '{jobId}'"));
        await File.WriteAllTextAsync(signal, "");

        var job = await _system.WaitForFinalStateAsync(id);
        Assert.True(job.State() == "Completed", $"job {id} is {job.State()}: {job.Error()}");
        Assert.Equal("found", (await ResultsAsync(id))["output.txt"]);
        Assert.Equal(slurmJobId, (await EndedInSlurmAsync(id))[0]);
        Assert.Equal(1, await _system.RunCountAsync(id));
    }

    [Fact]
    public async Task A_job_outlives_slurmctld_going_down_while_it_runs_and_is_reported_once_the_controller_is_back()
    {
        var signal = Path.Combine(fixture.SignalDirectory, $"finish-{Guid.NewGuid():N}");
        var id = await SubmitAsync(SlurmFixture.Service, $"while [ ! -e {signal} ]; do sleep 0.2; done\necho after-outage > output.txt\n");
        var slurmJobId = await SlurmJobIdAsync(id);
        await Eventually.UntilAsync(async () => (await _system.JobAsync(id)).State(), s => s == "Running", $"job {id} to run");
        var jobId = await _system.JobIdAsync(id);

        try
        {
            await SlurmCluster.StopControllerAsync();
            await Eventually.UntilAsync(() => _system["Executor-slurm"].Output.Contains($"No status for job {jobId}", StringComparison.Ordinal),
                "the executor to find Slurm unreachable");
            Assert.Equal("Running", (await _system.JobAsync(id)).State());
        }
        finally
        {
            await SlurmCluster.StartControllerAsync();
        }

        await File.WriteAllTextAsync(signal, "");
        var job = await _system.WaitForFinalStateAsync(id);
        Assert.True(job.State() == "Completed", $"job {id} is {job.State()}: {job.Error()}");
        Assert.Equal("after-outage", (await ResultsAsync(id))["output.txt"]);
        Assert.Equal(slurmJobId, (await EndedInSlurmAsync(id))[0]);
    }

    [Fact]
    public async Task A_job_whose_slurm_login_node_is_unreachable_is_retried_with_backoff_then_fails_with_the_reason()
    {
        var id = await SubmitAsync(SlurmFixture.UnreachableService, "echo never > output.txt\n");

        var job = await _system.WaitForFinalStateAsync(id);

        Assert.Equal("Failed", job.State());
        Assert.Contains("Slurm is unreachable", job.Error());
        Assert.Contains("Connection refused", job.Error());
        var jobId = await _system.JobIdAsync(id);
        // Each saga attempt tried sbatch SubmitAttempts times before it was reported not started.
        var tries = File.ReadAllLines(fixture.UnreachableLog).Count(l => l.StartsWith("sbatch", StringComparison.Ordinal));
        Assert.Equal(SlurmFixture.SubmitAttempts * SlurmFixture.SagaAttempts, tries);
        Assert.Equal(SlurmFixture.SagaAttempts, await _system.RunCountAsync(id));
        Assert.Empty(await SlurmCluster.AccountingAsync(fixture.JobName(jobId)));
    }

    /// <summary>
    /// The one accounting record of the job's Slurm job once it ended (accounting may trail the job's end a little);
    /// a second Slurm job for the same attempt fails the test.
    /// </summary>
    async Task<string[]> EndedInSlurmAsync(long id, string fields = "JobID,State,ExitCode")
    {
        var jobName = fixture.JobName(await _system.JobIdAsync(id));
        var records = await Eventually.UntilAsync(() => SlurmCluster.AccountingAsync(jobName, fields),
            r => r.Count > 0 && r.All(f => f[1] is not ("PENDING" or "RUNNING" or "COMPLETING")),
            $"Slurm's accounting to record the end of job {id} ({jobName})");
        return Assert.Single(records);
    }

    async Task<long> SubmitAsync(string service, string script) => (await SubmitWithDirectoryAsync(service, script)).Id;

    async Task<(long Id, string Directory)> SubmitWithDirectoryAsync(string service, string script)
    {
        using var response = await _system.UploadAsync(script, service: service);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"upload answered {(int)response.StatusCode}: {text}");
        using var body = JsonDocument.Parse(text);
        return (body.RootElement.GetProperty("id").GetInt64(), body.RootElement.GetProperty("loc").GetString()!);
    }

    /// <summary>The Slurm job id the executor stored for the job, once sbatch accepted it.</summary>
    async Task<string> SlurmJobIdAsync(long id)
    {
        var jobId = await _system.JobIdAsync(id);
        try
        {
            return (await Eventually.UntilAsync(
                () => _system.Database.ScalarAsync<string>($"SELECT external_id FROM executor.runs WHERE job_id = '{jobId}'"),
                external => external is not null, $"job {id} to be submitted to Slurm"))!;
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}{Environment.NewLine}{_system.Logs}", ex);
        }
    }

    async Task<Dictionary<string, string>> ResultsAsync(long id)
    {
        using var download = await _system.Api.GetAsync($"/download/{id}");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        using var zip = new ZipArchive(await download.Content.ReadAsStreamAsync());
        var files = new Dictionary<string, string>();
        foreach (var entry in zip.Entries)
        {
            using var reader = new StreamReader(entry.Open());
            files[entry.FullName] = (await reader.ReadToEndAsync()).Trim();
        }

        return files;
    }

    /// <summary>The files a job left in its directory (the Api serves no zip for a failed job).</summary>
    static Dictionary<string, string> FilesIn(string directory) =>
        Directory.GetFiles(directory).ToDictionary(f => Path.GetFileName(f), f => File.ReadAllText(f).Trim());
}
