using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Orchestrator.IntegrationTests.Infrastructure;

namespace Orchestrator.IntegrationTests.EndToEnd;

/// <summary>Jobs on jobd destinations through the whole system over real RabbitMQ and PostgreSQL.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class JobdEndToEndTests(JobdSystemFixture fixture) : IClassFixture<JobdSystemFixture>, IAsyncLifetime
{
    readonly JobLedger _ledger = new();
    readonly OrchestratorSystem _system = fixture.System;

    /// <summary>A test that failed half way may have left an agent down or misbehaving; each starts from a whole set.</summary>
    public async Task InitializeAsync()
    {
        foreach (var agent in new[] { fixture.AgentA, fixture.AgentB })
        {
            if (!agent.IsRunning)
                await agent.StartAgainAsync();
        }

        foreach (var fake in new[] { fixture.FakeA, fixture.FakeB })
        {
            fake.Mode = JobdFakeAgentMode.Completes;
            fake.Load = "10.0";
        }

        await WaitForAgentsAsync("jobd", agents => agents.All(a => a.GetProperty("healthy").ValueKind == JsonValueKind.True));
        await WaitForAgentsAsync("jobd-fake", agents => agents.All(a => a.GetProperty("healthy").ValueKind == JsonValueKind.True));
    }

    public Task DisposeAsync()
    {
        _ledger.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_job_on_a_destination_of_two_agents_completes_and_its_zip_comes_back_and_a_failing_one_keeps_its_exit_code()
    {
        var (id, _) = await SubmitAsync("remote", "tr a-z A-Z < input.txt > output.txt\necho printed\n",
            new Dictionary<string, string> { ["input.txt"] = "from the portal" });
        var (failing, _) = await SubmitAsync("remote", "echo half > half.txt\nexit 5\n");

        var job = await _system.WaitForFinalStateAsync(id);
        Assert.True(job.State() == "Completed", $"{job}{Environment.NewLine}{_system.Logs}");
        Assert.Equal(0, job.ExitCode());
        var files = await DownloadAsync($"/download/{id}");
        Assert.Equal("FROM THE PORTAL", files["output.txt"].Trim());
        Assert.Equal("printed", files["stdout.log"].Trim());

        var failed = await _system.WaitForFinalStateAsync(failing);
        Assert.Equal("Failed", failed.State());
        Assert.Equal(5, failed.ExitCode());
        Assert.Equal("half", (await File.ReadAllTextAsync(Path.Combine(await DirectoryOfAsync(failing), "half.txt"))).Trim());
        Assert.True((await ExternalIdAsync(id))!.Contains('@'), "the stored id names the agent");
    }

    [Fact]
    public async Task A_new_job_goes_to_the_least_loaded_healthy_agent()
    {
        fixture.FakeA.Load = "80.0";
        fixture.FakeB.Load = "5";
        await WaitForLoadsAsync(80, 5);
        var (first, _) = await SubmitAsync("fake", "true\n");
        Assert.Equal("Completed", (await _system.WaitForFinalStateAsync(first)).State());
        Assert.Equal(fixture.FakeB.Signature, (await DownloadAsync($"/download/{first}"))["out.txt"]);

        fixture.FakeA.Load = "5";
        fixture.FakeB.Load = "80.0";
        await WaitForLoadsAsync(5, 80);
        var submitsToA = fixture.FakeA.Submits;
        var (second, _) = await SubmitAsync("fake", "true\n");
        Assert.Equal("Completed", (await _system.WaitForFinalStateAsync(second)).State());
        Assert.Equal(fixture.FakeA.Signature, (await DownloadAsync($"/download/{second}"))["out.txt"]);
        Assert.Equal(submitsToA + 1, fixture.FakeA.Submits);
    }

    [Fact]
    public async Task Malformed_agent_answers_fail_the_job_with_a_clear_error_and_the_executor_keeps_running()
    {
        SetFakeModes(JobdFakeAgentMode.SubmitWithoutId);
        var (noId, _) = await SubmitAsync("fake", "true\n");
        var job = await _system.WaitForFinalStateAsync(noId);
        Assert.Equal("Failed", job.State());
        AssertErrorContains(job, "not a payload");

        SetFakeModes(JobdFakeAgentMode.RetrievesGarbage);
        var (garbage, _) = await SubmitAsync("fake", "true\n");
        job = await _system.WaitForFinalStateAsync(garbage);
        Assert.Equal("Failed", job.State());
        AssertErrorContains(job, "broke the protocol");
        AssertErrorContains(job, "Gateway error");

        fixture.FakeA.Load = "\"high\"";
        fixture.FakeB.Load = "<html>";
        var agents = await WaitForAgentsAsync("jobd-fake", a => a.All(x => x.GetProperty("healthy").ValueKind == JsonValueKind.False));
        Assert.All(agents, a => Assert.Contains("not a number", a.GetProperty("lastError").GetString()));

        Assert.True(_system["Executor-fake"].IsRunning, "the executor must survive malformed answers");
        using var health = await new HttpClient().GetAsync(new Uri(_system["Executor-fake"].BaseAddress, "/health"));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task Agents_unreachable_at_submit_are_retried_with_backoff_then_the_job_fails_with_the_reason()
    {
        await fixture.FakeA.StopAsync();
        await fixture.FakeB.StopAsync();
        try
        {
            await WaitForAgentsAsync("jobd-fake", a => a.All(x => x.GetProperty("healthy").ValueKind == JsonValueKind.False));
            var (id, _) = await SubmitAsync("fake", "true\n");
            var job = await _system.WaitForFinalStateAsync(id);
            Assert.Equal("Failed", job.State());
            AssertErrorContains(job, "No agent of jobd destination 'jobd-fake' answers");
            var output = _system["Executor-fake"].Output;
            Assert.Contains("try 1 of 3", output);
            Assert.Contains("try 2 of 3", output);
        }
        finally
        {
            await fixture.FakeA.StartAgainAsync();
            await fixture.FakeB.StartAgainAsync();
        }
    }

    [Fact]
    public async Task A_job_submitted_during_an_outage_of_every_agent_is_retried_by_the_service_policy_and_completes_once_they_are_back()
    {
        long id;
        Guid jobId;
        await fixture.AgentA.KillAsync();
        await fixture.AgentB.KillAsync();
        try
        {
            await WaitForAgentsAsync("jobd", a => a.All(x => x.GetProperty("healthy").ValueKind == JsonValueKind.False));
            (id, _) = await SubmitAsync("remote", "echo back > output.txt\n");
            jobId = await _system.JobIdAsync(id);
            await Eventually.UntilAsync(() => AttemptOutcomeAsync(jobId, 1), o => o is not null, "the first attempt to end while the agents are down");
            Assert.Equal("NotStarted", await AttemptOutcomeAsync(jobId, 1));
        }
        finally
        {
            await fixture.AgentA.StartAgainAsync();
            await fixture.AgentB.StartAgainAsync();
        }

        var job = await _system.WaitForFinalStateAsync(id, TimeSpan.FromSeconds(90));
        Assert.True(job.State() == "Completed", $"{job}{Environment.NewLine}{_system.Logs}");
        Assert.Equal("back", (await DownloadAsync($"/download/{id}"))["output.txt"].Trim());
        var attempts = await _system.Database.ScalarAsync<long>(
            $"SELECT count(*) FROM api.job_attempts a JOIN api.jobs j ON j.number = a.job_number WHERE j.job_id = '{jobId}'");
        Assert.InRange(attempts, 2, 3);
        Assert.Equal("Exited", await AttemptOutcomeAsync(jobId, (int)attempts));
    }

    Task<string?> AttemptOutcomeAsync(Guid jobId, int attempt) =>
        _system.Database.ScalarAsync<string>(
            $"SELECT a.outcome FROM api.job_attempts a JOIN api.jobs j ON j.number = a.job_number WHERE j.job_id = '{jobId}' AND a.attempt = {attempt}");

    [Fact]
    public async Task A_job_on_an_agent_that_dies_is_reported_lost_after_the_grace_and_retried_on_the_other_agent()
    {
        var (id, _) = await SubmitAsync("remote", _ledger.Start("moved") + _ledger.WaitFor("release") + "echo finished > output.txt\n");
        var (dying, surviving, _, pid) = await RunningPayloadAsync(id);

        // The agent's whole machine goes: the agent and the job's processes with it.
        await dying.KillAsync();
        ProcessGroups.Kill(pid);
        _ledger.Signal("release");

        var job = await _system.WaitForFinalStateAsync(id, TimeSpan.FromSeconds(90));
        Assert.True(job.State() == "Completed", $"{job}{Environment.NewLine}{_system.Logs}");
        Assert.Equal("finished", (await DownloadAsync($"/download/{id}"))["output.txt"].Trim());
        var jobId = await _system.JobIdAsync(id);
        Assert.Equal("Lost", await _system.Database.ScalarAsync<string>(
            $"SELECT a.outcome FROM api.job_attempts a JOIN api.jobs j ON j.number = a.job_number WHERE j.job_id = '{jobId}' AND a.attempt = 1"));
        Assert.Contains("has not answered", await _system.Database.ScalarAsync<string>(
            $"SELECT a.error FROM api.job_attempts a JOIN api.jobs j ON j.number = a.job_number WHERE j.job_id = '{jobId}' AND a.attempt = 1"));
        Assert.EndsWith(surviving.BaseAddress.ToString(), await ExternalIdAsync(id));
    }

    [Fact]
    public async Task A_payload_given_up_while_its_agent_was_cut_off_is_killed_once_the_agent_answers_again()
    {
        var (id, _) = await SubmitAsync("remote",
            _ledger.Start("partitioned") + _ledger.OnFirstRunOnly("partitioned", _ledger.WaitFor("never")) + "echo finished > output.txt\n");
        var (cutOff, _, payload, pid) = await RunningPayloadAsync(id);

        // The agent stops answering while its machine, and the job's processes on it, live on: a partition.
        await cutOff.KillAsync();
        try
        {
            var job = await _system.WaitForFinalStateAsync(id, TimeSpan.FromSeconds(90));
            Assert.True(job.State() == "Completed", $"{job}{Environment.NewLine}{_system.Logs}");
            var jobId = await _system.JobIdAsync(id);
            Assert.Equal("Lost", await AttemptOutcomeAsync(jobId, 1));
            Assert.True(ProcessGroups.IsAlive(pid), "the first attempt should still run on the cut-off machine");

            await cutOff.StartAgainAsync();
            await Eventually.UntilAsync(() => cutOff.Http.GetFromJsonAsync<JsonElement>($"/retrieve/{payload}"),
                p => p.GetProperty("status").GetString() == "Killed", "the agent, back, to be told to kill the payload given up");
            await Eventually.UntilAsync(() => !ProcessGroups.IsAlive(pid), "the given-up payload's processes to be gone");
            await Eventually.UntilAsync(() => _system.Database.ScalarAsync<string>($"SELECT state FROM executor.runs WHERE job_id = '{jobId}' AND attempt = 1"),
                state => state == "Finished", "the executor to settle the abandoned run");
            Assert.Equal(2, _ledger.Starts("partitioned"));
        }
        finally
        {
            ProcessGroups.Kill(pid);
        }
    }

    [Fact]
    public async Task A_restarted_executor_re_attaches_to_the_payload_on_its_agent_instead_of_submitting_again()
    {
        var (id, _) = await SubmitAsync("remote", _ledger.Start("reattached") + _ledger.WaitFor("continue") + "echo kept > output.txt\n" + _ledger.End("reattached"));
        await Eventually.UntilAsync(async () => (await _system.JobAsync(id)).State() == "Running", "the job to run on an agent");
        var externalId = await ExternalIdAsync(id);

        await _system.RestartServiceAsync("Executor-jobd");
        _ledger.Signal("continue");

        var job = await _system.WaitForFinalStateAsync(id);
        Assert.True(job.State() == "Completed", $"{job}{Environment.NewLine}{_system.Logs}");
        Assert.Equal("kept", (await DownloadAsync($"/download/{id}"))["output.txt"].Trim());
        Assert.Equal(externalId, await ExternalIdAsync(id));
        Assert.Equal(1, _ledger.Starts("reattached"));
        Assert.Equal(1, await _system.RunCountAsync(id));
    }

    [Fact]
    public async Task Download_partial_relays_the_agents_files_so_far_and_terminate_kills_the_payload()
    {
        using (var unknown = await _system.Api.GetAsync("/download_partial/987654"))
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var (queued, _) = await SubmitAsync("paused", "true\n");
        using (var notDispatched = await _system.Api.GetAsync($"/download_partial/{queued}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, notDispatched.StatusCode);
            Assert.Contains("not been sent", await notDispatched.Content.ReadAsStringAsync());
        }

        var (id, _) = await SubmitAsync("remote", "echo step1 > progress.txt\n" + _ledger.WaitFor("never") + "echo step2 > progress.txt\n");
        var files = await Eventually.UntilAsync(() => PartialSoFarAsync(id),
            f => f.GetValueOrDefault("progress.txt")?.Trim() == "step1", "the partial zip to show the first step");
        Assert.True(files.ContainsKey("run.sh"));

        using (var terminate = await _system.Api.PostAsync($"/terminate/{id}", null))
            Assert.Equal(HttpStatusCode.OK, terminate.StatusCode);
        var job = await _system.WaitForFinalStateAsync(id);
        Assert.Equal("Cancelled", job.State());
        var (agent, _, payloadId) = PayloadAt((await ExternalIdAsync(id))!);
        var payload = await agent.Http.GetFromJsonAsync<JsonElement>($"/retrieve/{payloadId}");
        Assert.Equal("Killed", payload.GetProperty("status").GetString());
        Assert.False(ProcessGroups.IsAlive(payload.GetProperty("pid").GetInt32()), "the killed payload's process should be gone");

        var (local, _) = await SubmitAsync("generic", "echo here > local.txt\n" + _ledger.WaitFor("never"));
        var localFiles = await Eventually.UntilAsync(() => PartialSoFarAsync(local),
            f => f.ContainsKey("local.txt"), "the local job's partial zip");
        Assert.Equal("here", localFiles["local.txt"].Trim());
        using (await _system.Api.PostAsync($"/terminate/{local}", null))
            Assert.Equal("Cancelled", (await _system.WaitForFinalStateAsync(local)).State());
    }

    [Fact]
    public async Task Destinations_lists_kinds_capacities_jobs_in_flight_health_and_the_agents_of_jobd()
    {
        var (id, _) = await SubmitAsync("remote", _ledger.WaitFor("go"));
        await Eventually.UntilAsync(async () => (await _system.JobAsync(id)).State() == "Running", "the job to run");

        var jobd = await Eventually.UntilAsync(() => DestinationAsync("jobd"),
            d => d.GetProperty("inFlight").GetInt32() == 1 && d.GetProperty("agents").EnumerateArray().Sum(a => a.GetProperty("inFlight").GetInt32()) == 1,
            "GET /destinations to show the job in flight");
        Assert.Equal("jobd", jobd.GetProperty("kind").GetString());
        Assert.Equal(100, jobd.GetProperty("capacity").GetInt32());
        Assert.True(jobd.GetProperty("healthy").GetBoolean());
        Assert.Single(jobd.GetProperty("instances").EnumerateArray());
        var agents = jobd.GetProperty("agents").EnumerateArray().ToList();
        Assert.Equal([fixture.AgentA.BaseAddress.ToString(), fixture.AgentB.BaseAddress.ToString()], agents.Select(a => a.GetProperty("url").GetString()!));
        Assert.All(agents, a =>
        {
            Assert.True(a.GetProperty("healthy").GetBoolean());
            Assert.InRange(a.GetProperty("load").GetDouble(), 0, 100);
        });

        var local = await DestinationAsync("local");
        Assert.Equal("local", local.GetProperty("kind").GetString());
        Assert.Equal(JsonValueKind.Null, local.GetProperty("agents").ValueKind);
        Assert.Equal(0, (await DestinationAsync("paused")).GetProperty("capacity").GetInt32());
        _ledger.Signal("go");
        Assert.Equal("Completed", (await _system.WaitForFinalStateAsync(id)).State());
    }

    [Fact]
    public async Task A_job_with_environment_variables_for_a_jobd_service_is_refused_with_422_and_not_stored()
    {
        const int user = 4711;
        string Body(string environment) =>
            $$"""{"service":"remote","user":{{user}},{{environment}}"files":[{"path":"run.sh","content":"true"}]}""";

        using (var refused = await _system.Api.PostAsync("/v1/jobs",
                   new StringContent(Body("\"environment\":{\"GREETING\":\"hello\"},"), System.Text.Encoding.UTF8, "application/json")))
        {
            var problem = await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.UnprocessableEntity, "Environment not supported by the destination");
            Assert.Contains("jobd destination 'jobd'", problem.GetProperty("detail").GetString());
        }

        Assert.Equal(0L, await _system.Database.ScalarAsync<long>($"SELECT count(*) FROM api.jobs WHERE user_id = {user}"));

        // The same job without variables is one the destination can run.
        using var accepted = await _system.Api.PostAsync("/v1/jobs", new StringContent(Body(""), System.Text.Encoding.UTF8, "application/json"));
        Assert.True(accepted.StatusCode == HttpStatusCode.Created, await accepted.Content.ReadAsStringAsync());
        var id = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetInt64();
        Assert.Equal("Completed", (await _system.WaitForFinalStateAsync(id)).State());
    }

    void AssertErrorContains(JsonElement job, string expected) =>
        Assert.True(job.Error()?.Contains(expected, StringComparison.Ordinal) == true,
            $"expected the job's error to contain '{expected}': {job}{Environment.NewLine}{_system.Logs}");

    void SetFakeModes(JobdFakeAgentMode mode)
    {
        fixture.FakeA.Mode = mode;
        fixture.FakeB.Mode = mode;
    }

    async Task<(long Id, string Directory)> SubmitAsync(string service, string script, IReadOnlyDictionary<string, string>? extraFiles = null)
    {
        using var response = await _system.UploadAsync(script, service: service, extraFiles: extraFiles);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"upload answered {(int)response.StatusCode}: {text}");
        using var body = JsonDocument.Parse(text);
        return (body.RootElement.GetProperty("id").GetInt64(), body.RootElement.GetProperty("loc").GetString()!);
    }

    /// <summary>The agent a job's payload runs on, the other agent, the payload's id there and its process.</summary>
    async Task<(TestAgent Agent, TestAgent Other, string Payload, int Pid)> RunningPayloadAsync(long id)
    {
        var externalId = await Eventually.UntilAsync(() => ExternalIdAsync(id), e => e is not null, "the job to reach an agent");
        var (agent, other, payload) = PayloadAt(externalId!);
        var pid = await Eventually.UntilAsync(async () =>
        {
            var p = await agent.Http.GetFromJsonAsync<JsonElement>($"/retrieve/{payload}");
            return p.GetProperty("status").GetString() == "Running" ? p.GetProperty("pid").GetInt32() : 0;
        }, p => p > 0, "the payload to run on its agent");
        return (agent, other, payload, pid);
    }

    /// <summary>The agent a stored run id (<c>{payload}@{agent URL}</c>) names, the other agent, and the payload's id.</summary>
    (TestAgent Agent, TestAgent Other, string Payload) PayloadAt(string externalId)
    {
        var (agent, other) = externalId.EndsWith(fixture.AgentA.BaseAddress.ToString(), StringComparison.Ordinal)
            ? (fixture.AgentA, fixture.AgentB)
            : (fixture.AgentB, fixture.AgentA);
        return (agent, other, externalId[..externalId.IndexOf('@')]);
    }

    async Task<string> DirectoryOfAsync(long id) =>
        (await _system.Database.ScalarAsync<string>($"SELECT directory FROM api.jobs WHERE number = {id}"))!;

    async Task<string?> ExternalIdAsync(long id)
    {
        var jobId = await _system.JobIdAsync(id);
        return await _system.Database.ScalarAsync<string>(
            $"SELECT external_id FROM executor.runs WHERE job_id = '{jobId}' ORDER BY attempt DESC LIMIT 1");
    }

    async Task<Dictionary<string, string>> DownloadAsync(string path)
    {
        using var response = await _system.Api.GetAsync(path);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path} answered {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(bytes)}{Environment.NewLine}{_system.Logs}");
        return Unzip(bytes);
    }

    static Dictionary<string, string> Unzip(byte[] bytes)
    {
        using var zip = new ZipArchive(new MemoryStream(bytes));
        return zip.Entries.ToDictionary(e => e.FullName, e =>
        {
            using var reader = new StreamReader(e.Open());
            return reader.ReadToEnd();
        });
    }

    /// <summary>The partial zip, or nothing while the job has not reached its destination yet.</summary>
    async Task<Dictionary<string, string>> PartialSoFarAsync(long id)
    {
        using var response = await _system.Api.GetAsync($"/download_partial/{id}");
        var bytes = await response.Content.ReadAsByteArrayAsync();
        if (response.StatusCode == HttpStatusCode.NotFound)
            return [];
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"/download_partial/{id} answered {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(bytes)}{Environment.NewLine}{_system.Logs}");
        return Unzip(bytes);
    }

    async Task<JsonElement> DestinationAsync(string name)
    {
        var all = await _system.Api.GetFromJsonAsync<JsonElement>("/destinations");
        return all.GetProperty("destinations").EnumerateArray().Single(d => d.GetProperty("name").GetString() == name);
    }

    async Task<List<JsonElement>> WaitForAgentsAsync(string destination, Func<List<JsonElement>, bool> done)
    {
        try
        {
            return await Eventually.UntilAsync(async () =>
            {
                var agents = (await DestinationAsync(destination)).GetProperty("agents");
                return agents.ValueKind == JsonValueKind.Array ? agents.EnumerateArray().ToList() : [];
            }, a => a.Count > 0 && done(a), $"the agents of {destination} in GET /destinations", TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}{Environment.NewLine}{_system.Logs}", ex);
        }
    }

    Task WaitForLoadsAsync(double a, double b) =>
        WaitForAgentsAsync("jobd-fake", agents =>
            agents[0].GetProperty("load").ValueKind == JsonValueKind.Number && agents[0].GetProperty("load").GetDouble() == a
            && agents[1].GetProperty("load").ValueKind == JsonValueKind.Number && agents[1].GetProperty("load").GetDouble() == b);
}
