using System.IO.Compression;
using System.Net;
using Orchestrator.IntegrationTests.Infrastructure;

namespace Orchestrator.IntegrationTests.EndToEnd;

/// <summary>
/// Jobs on the <c>dirac</c> destination, end to end over real RabbitMQ and PostgreSQL with the services as processes,
/// against the DiracX contract double (not a live DIRAC).
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class DiracTests(DiracFixture fixture) : IClassFixture<DiracFixture>
{
    static readonly string[] DiracLife = ["Received", "Checking", "Waiting", "Matched", "Running", "Completing", "Completed", "Done"];

    OrchestratorSystem System => fixture.System;

    DiracContractDouble Dirac => fixture.Dirac;

    [Fact]
    public async Task A_job_routed_to_dirac_completes_and_its_zip_holds_the_output_sandbox()
    {
        var (id, _) = await System.SubmitAsync("echo hello from dirac\necho \"$PWD\" > where.txt\necho result > output.txt\n",
            new Dictionary<string, string> { ["input.txt"] = "some input" });

        var job = await System.WaitForFinalStateAsync(id);

        Assert.True(job.State() == "Completed", $"{job}{Environment.NewLine}{System.Logs}");
        using var download = await System.Api.GetAsync($"/download/{id}");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        using var zip = new ZipArchive(await download.Content.ReadAsStreamAsync());
        Assert.Equal("result", await ReadAsync(zip, "output.txt"));
        Assert.Equal("hello from dirac", await ReadAsync(zip, "stdout.log"));
        Assert.NotNull(zip.GetEntry("input.txt"));
        // The script ran at the "worker" of the double, from the input sandbox, not in our jobs directory.
        Assert.DoesNotContain(System.JobsRoot, await ReadAsync(zip, "where.txt"));

        var dirac = await DiracJobAsync(id);
        Assert.Equal(DiracLife, dirac.History);
        Assert.Equal("\"/bin/bash\"", dirac.Attributes["Executable"]);
        Assert.Equal("\"run.sh\"", dirac.Attributes["Arguments"]);
        Assert.Equal("\"stdout.log\"", dirac.Attributes["StdOutput"]);
        Assert.Equal("\"stderr.log\"", dirac.Attributes["StdError"]);
        Assert.StartsWith("{\"SB:SandboxSE|/S3/sandboxes/", dirac.Attributes["InputSandbox"]);
    }

    [Fact]
    public async Task A_job_DIRAC_reports_Failed_is_Failed_with_DIRACs_reason_and_its_output_sandbox_kept()
    {
        var (id, directory) = await System.SubmitAsync("echo broken >&2\nexit 3\n");

        var job = await System.WaitForFinalStateAsync(id);

        Assert.True(job.State() == "Failed", $"{job}{Environment.NewLine}{System.Logs}");
        Assert.Contains("Application Finished With Errors", job.Error());
        Assert.Equal("Failed", (await DiracJobAsync(id)).Status);
        Assert.Equal("broken", (await File.ReadAllTextAsync(Path.Combine(directory, "stderr.log"))).Trim());
    }

    [Fact]
    public async Task Terminating_a_job_kills_it_at_DIRAC_and_it_ends_Cancelled()
    {
        Dirac.HoldNewJobs = true;
        try
        {
            var (id, _) = await System.SubmitAsync("echo never\n");
            var dirac = await RunningAtDiracAsync(id);

            using var terminate = await System.Api.PostAsync($"/terminate/{id}", null);
            Assert.Equal(HttpStatusCode.OK, terminate.StatusCode);
            var job = await System.WaitForFinalStateAsync(id);

            Assert.True(job.State() == "Cancelled", $"{job}{Environment.NewLine}{System.Logs}");
            Assert.Equal("Killed", dirac.Status);
            Assert.Contains("PATCH /api/jobs/status 200", Dirac.Calls);
        }
        finally
        {
            Dirac.HoldNewJobs = false;
        }
    }

    [Fact]
    public async Task A_job_terminated_while_DIRAC_is_unreachable_is_killed_once_DIRAC_answers_again()
    {
        Dirac.HoldNewJobs = true;
        try
        {
            var (id, _) = await System.SubmitAsync("echo never\n");
            var dirac = await RunningAtDiracAsync(id);
            var jobId = await System.JobIdAsync(id);

            await Dirac.StopAsync();
            try
            {
                using var terminate = await System.Api.PostAsync($"/terminate/{id}", null);
                Assert.Equal(HttpStatusCode.OK, terminate.StatusCode);
                await Eventually.UntilAsync(() => fixture.Executor.Output.Contains($"Cancelling job {jobId} at the destination failed"),
                    "the executor to try to kill the job");
            }
            finally
            {
                await Dirac.StartAsync();
            }

            await Eventually.UntilAsync(() => dirac.Status == "Killed", "the job to be killed at DIRAC");
            var job = await System.WaitForFinalStateAsync(id);
            Assert.True(job.State() == "Cancelled", $"{job}{Environment.NewLine}{System.Logs}");
        }
        finally
        {
            Dirac.HoldNewJobs = false;
        }
    }

    [Fact]
    public async Task DIRAC_unreachable_at_submit_is_retried_with_backoff_then_the_job_fails_with_the_reason()
    {
        await Dirac.StopAsync();
        try
        {
            var (id, _) = await System.SubmitAsync("echo never\n");

            var job = await System.WaitForFinalStateAsync(id);

            Assert.True(job.State() == "Failed", $"{job}{Environment.NewLine}{System.Logs}");
            Assert.Contains("cannot be reached", job.Error());
            var jobId = await System.JobIdAsync(id);
            // Every try but the last is logged as a retry; the last one reports the job not started.
            var retries = fixture.Executor.Output.Split('\n').Count(line => line.Contains($"Submitting job {jobId} failed"));
            Assert.Equal(DiracFixture.SubmitAttempts - 1, retries);
            Assert.True(fixture.Executor.IsRunning);
        }
        finally
        {
            await Dirac.StartAsync();
        }
    }

    [Fact]
    public async Task DIRAC_unreachable_while_a_job_runs_does_not_lose_it()
    {
        Dirac.HoldNewJobs = true;
        try
        {
            var (id, _) = await System.SubmitAsync("echo survived > output.txt\n");
            var dirac = await RunningAtDiracAsync(id);
            var jobId = await System.JobIdAsync(id);

            await Dirac.StopAsync();
            try
            {
                await Eventually.UntilAsync(() => fixture.Executor.Output.Contains($"No status for job {jobId}"),
                    "the executor to notice DIRAC is gone");
            }
            finally
            {
                await Dirac.StartAsync();
            }

            Dirac.Release(dirac.JobId);
            var job = await System.WaitForFinalStateAsync(id);

            Assert.True(job.State() == "Completed", $"{job}{Environment.NewLine}{System.Logs}");
            Assert.Single(Dirac.Jobs, j => j.JobName == dirac.JobName);
        }
        finally
        {
            Dirac.HoldNewJobs = false;
        }
    }

    [Fact]
    public async Task Results_DIRAC_cannot_hand_over_at_first_are_fetched_once_it_answers_again()
    {
        Dirac.AnswerUnavailable("output", 3);

        var (id, _) = await System.SubmitAsync("echo kept > output.txt\n");
        var job = await System.WaitForFinalStateAsync(id);

        Assert.True(job.State() == "Completed", $"{job}{Environment.NewLine}{System.Logs}");
        using var download = await System.Api.GetAsync($"/download/{id}");
        using var zip = new ZipArchive(await download.Content.ReadAsStreamAsync());
        Assert.Equal("kept", await ReadAsync(zip, "output.txt"));
        Assert.Contains($"Results of job {await System.JobIdAsync(id)} not fetched", fixture.Executor.Output);
    }

    [Fact]
    public async Task A_Done_job_without_an_output_sandbox_fails_with_that_reason()
    {
        Dirac.LoseOutputSandboxes = true;
        try
        {
            var (id, _) = await System.SubmitAsync("echo lost > output.txt\n");
            var job = await System.WaitForFinalStateAsync(id);

            Assert.True(job.State() == "Failed", $"{job}{Environment.NewLine}{System.Logs}");
            Assert.Contains("no output sandbox", job.Error());
            Assert.Equal("Done", (await DiracJobAsync(id)).Status);
        }
        finally
        {
            Dirac.LoseOutputSandboxes = false;
        }
    }

    [Fact]
    public async Task A_malformed_answer_to_the_submission_fails_the_job_with_a_clear_error()
    {
        Dirac.AnswerMalformed("jdl", 1);

        var (id, _) = await System.SubmitAsync("echo never\n");
        var job = await System.WaitForFinalStateAsync(id);

        Assert.True(job.State() == "Failed", $"{job}{Environment.NewLine}{System.Logs}");
        Assert.Contains("malformed JSON", job.Error());
        Assert.True(fixture.Executor.IsRunning);
    }

    [Fact]
    public async Task Malformed_status_answers_are_reported_and_the_job_still_completes()
    {
        Dirac.HoldNewJobs = true;
        try
        {
            var (id, _) = await System.SubmitAsync("echo fine > output.txt\n");
            var dirac = await RunningAtDiracAsync(id);

            Dirac.AnswerMalformed("search", 3);
            await Eventually.UntilAsync(() => fixture.Executor.Output.Contains($"unusable status for job {dirac.JobId}"),
                "the executor to report the malformed status");
            Dirac.Release(dirac.JobId);
            var job = await System.WaitForFinalStateAsync(id);

            Assert.True(job.State() == "Completed", $"{job}{Environment.NewLine}{System.Logs}");
            Assert.True(fixture.Executor.IsRunning);
        }
        finally
        {
            Dirac.HoldNewJobs = false;
        }
    }

    [Fact]
    public async Task An_expired_token_makes_the_executor_authenticate_again_and_keep_the_rotated_refresh_token()
    {
        Dirac.HoldNewJobs = true;
        try
        {
            var (id, _) = await System.SubmitAsync("echo fine > output.txt\n");
            var dirac = await RunningAtDiracAsync(id);
            var grants = Dirac.TokenGrants;
            var refused = Dirac.Unauthorized;

            Dirac.ExpireTokens();
            await Eventually.UntilAsync(() => Dirac.TokenGrants > grants, "the executor to get a new token");
            Dirac.Release(dirac.JobId);
            var job = await System.WaitForFinalStateAsync(id);

            Assert.True(job.State() == "Completed", $"{job}{Environment.NewLine}{System.Logs}");
            Assert.True(Dirac.Unauthorized > refused);
            Assert.Equal(Dirac.RefreshToken, (await File.ReadAllTextAsync(fixture.RefreshTokenFile)).Trim());
        }
        finally
        {
            Dirac.HoldNewJobs = false;
        }
    }

    [Fact]
    public async Task A_restarted_executor_reattaches_to_its_DIRAC_job_instead_of_submitting_again()
    {
        Dirac.HoldNewJobs = true;
        try
        {
            var (id, _) = await System.SubmitAsync("echo once > output.txt\n");
            var dirac = await RunningAtDiracAsync(id);

            await System.RestartServiceAsync(DiracFixture.ExecutorName);
            Dirac.Release(dirac.JobId);
            var job = await System.WaitForFinalStateAsync(id);

            Assert.True(job.State() == "Completed", $"{job}{Environment.NewLine}{System.Logs}");
            Assert.Single(Dirac.Jobs, j => j.JobName == dirac.JobName);
        }
        finally
        {
            Dirac.HoldNewJobs = false;
        }
    }

    [Fact]
    public async Task An_executor_for_dirac_without_an_address_or_credentials_exits_with_code_2_naming_the_settings()
    {
        var settings = new Dictionary<string, string>(System.Environment)
        {
            ["Executor__Destination"] = "dirac",
            ["Executor__InstanceId"] = $"test-dirac-misconfigured-{Guid.NewGuid():N}",
        };
        await using var process = new ServiceProcess("Executor", ServiceProcess.FreePort(), settings);

        var exitCode = await process.RunToExitAsync();

        Assert.True(exitCode == 2, $"exited with {exitCode}:{Environment.NewLine}{process.Output}");
        Assert.Contains("Executor:Dirac:Url", process.Output);
        Assert.Contains("RefreshTokenFile, RefreshToken or AccessToken", process.Output);
    }

    async Task<DiracDoubleJob> DiracJobAsync(long id)
    {
        var name = $"orchestrator-{await System.JobIdAsync(id):N}-1";
        return Dirac.JobNamed(name) ?? throw new Xunit.Sdk.XunitException($"DIRAC never got job {name}{Environment.NewLine}{System.Logs}");
    }

    async Task<DiracDoubleJob> RunningAtDiracAsync(long id)
    {
        var name = $"orchestrator-{await System.JobIdAsync(id):N}-1";
        try
        {
            await Eventually.UntilAsync(() => Dirac.JobNamed(name)?.Status == "Running", $"DIRAC job {name} to run");
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}{Environment.NewLine}{System.Logs}", ex);
        }

        return Dirac.JobNamed(name)!;
    }

    static async Task<string> ReadAsync(ZipArchive zip, string name)
    {
        var entry = zip.GetEntry(name) ?? throw new Xunit.Sdk.XunitException($"{name} missing from the zip");
        using var reader = new StreamReader(entry.Open());
        return (await reader.ReadToEndAsync()).Trim();
    }
}
