using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Orchestrator.IntegrationTests.Infrastructure;

namespace Orchestrator.IntegrationTests.EndToEnd;

/// <summary>Our jobd agent over real HTTP: the WeNMR client protocol, exit codes without a trap, restarts, vanished processes.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class JobdAgentProtocolTests : IAsyncLifetime
{
    TestAgent _agent = null!;

    public async Task InitializeAsync() => _agent = await TestAgent.StartAsync();

    public async Task DisposeAsync() => await _agent.DisposeAsync();

    [Fact]
    public async Task Submit_answers_the_payload_and_retrieve_gives_the_directory_as_a_zip_once_completed()
    {
        var payload = await SubmitAsync(("run.sh", "tr a-z A-Z < input.txt > output.txt\n"), ("input.txt", "hello"));

        Assert.True(payload.GetProperty("id").GetUInt32() > 0);
        Assert.Equal("Prepared", payload.GetProperty("status").GetString());
        Assert.Equal(0, payload.GetProperty("pid").GetInt32());
        Assert.False(payload.GetProperty("killed").GetBoolean());
        Assert.Equal(["input.txt", "run.sh"], payload.GetProperty("input").EnumerateObject().Select(p => p.Name).Order());
        var loc = payload.GetProperty("loc").GetString()!;
        Assert.True(File.Exists(Path.Combine(loc, "run.sh")));

        var files = await WaitForZipAsync(payload.GetProperty("id").GetUInt32());
        Assert.Equal("HELLO", files["output.txt"].Trim());
        // The script has no trap: the agent's wrapper recorded the exit code.
        Assert.Equal("0", files[".orchestrator.exit"].Trim());
    }

    [Fact]
    public async Task A_failing_script_is_Failed_with_its_exit_code_recorded_without_a_trap_and_its_files_in_the_partial_zip()
    {
        var id = (await SubmitAsync(("run.sh", "echo some > partial.txt\nexit 7\n"))).GetProperty("id").GetUInt32();

        var payload = await WaitForStatusAsync(id, "Failed");
        Assert.False(payload.GetProperty("killed").GetBoolean());
        var files = await PartialAsync(id);
        Assert.Equal("7", files[".orchestrator.exit"].Trim());
        Assert.Equal("some", files["partial.txt"].Trim());
    }

    [Fact]
    public async Task Retrieve_partial_shows_a_running_payload_so_far_and_kill_stops_its_processes()
    {
        var id = (await SubmitAsync(("run.sh", "echo step1 > progress.txt\nsleep 60\necho step2 > progress.txt\n"))).GetProperty("id").GetUInt32();
        var running = await WaitForStatusAsync(id, "Running");
        var pid = running.GetProperty("pid").GetInt32();
        await Eventually.UntilAsync(async () => (await PartialAsync(id)).GetValueOrDefault("progress.txt")?.Trim() == "step1",
            "the partial zip to show the first step");

        using (var kill = await _agent.Http.PostAsync($"/kill/{id}", null))
            Assert.Equal(HttpStatusCode.OK, kill.StatusCode);

        var killed = await RetrieveJsonAsync(id);
        Assert.Equal("Killed", killed.GetProperty("status").GetString());
        Assert.True(killed.GetProperty("killed").GetBoolean());
        Assert.False(ProcessGroups.IsAlive(pid), "the payload's process should be gone after /kill");
    }

    [Fact]
    public async Task Load_health_and_unknown_payloads_answer_as_the_protocol_says()
    {
        var load = JsonDocument.Parse(await _agent.Http.GetStringAsync("/load")).RootElement;
        Assert.Equal(JsonValueKind.Number, load.ValueKind);
        Assert.InRange(load.GetDouble(), 0, 100);

        var health = JsonDocument.Parse(await _agent.Http.GetStringAsync("/health")).RootElement;
        Assert.Equal("ok", health.GetProperty("status").GetString());
        using (var root = await _agent.Http.GetAsync("/"))
            Assert.Equal(HttpStatusCode.OK, root.StatusCode);

        foreach (var (method, path) in new[] { (HttpMethod.Get, "/retrieve/999"), (HttpMethod.Get, "/retrieve_partial/999"), (HttpMethod.Post, "/kill/999"), (HttpMethod.Get, "/retrieve/abc") })
        {
            using var response = await _agent.Http.SendAsync(new HttpRequestMessage(method, path));
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task Bad_submits_are_refused_with_problem_details_and_paths_are_cut_to_their_basename()
    {
        using (var notMultipart = await _agent.Http.PostAsync("/submit", new StringContent("{}", System.Text.Encoding.UTF8, "application/json")))
            await AssertProblemAsync(notMultipart, HttpStatusCode.BadRequest, "multipart");
        using (var noScript = await PostFilesAsync(("input.txt", "x")))
            await AssertProblemAsync(noScript, HttpStatusCode.BadRequest, "run.sh");
        using (var fakeExit = await PostFilesAsync(("run.sh", "true\n"), (".orchestrator.exit", "0")))
            await AssertProblemAsync(fakeExit, HttpStatusCode.BadRequest, ".orchestrator.exit");
        using (var duplicate = await PostFilesAsync(("run.sh", "true\n"), ("a/x.txt", "1"), ("b/x.txt", "2")))
            await AssertProblemAsync(duplicate, HttpStatusCode.BadRequest, "x.txt");

        var payload = await SubmitAsync(("run.sh", "true\n"), ("../../escape.txt", "inside"));
        var loc = payload.GetProperty("loc").GetString()!;
        Assert.Equal("inside", await File.ReadAllTextAsync(Path.Combine(loc, "escape.txt")));
        Assert.False(File.Exists(Path.Combine(_agent.DataPath, "escape.txt")));
    }

    [Fact]
    public async Task A_restarted_agent_keeps_its_payloads_and_follows_a_process_that_ran_on_without_it()
    {
        var done = (await SubmitAsync(("run.sh", "echo before > out.txt\n"))).GetProperty("id").GetUInt32();
        await WaitForStatusAsync(done, "Completed");
        var waiting = await SubmitAsync(("run.sh", "while [ ! -e go ]; do sleep 0.1; done\necho after > out.txt\nexit 4\n"));
        var id = waiting.GetProperty("id").GetUInt32();
        var pid = (await WaitForStatusAsync(id, "Running")).GetProperty("pid").GetInt32();

        await _agent.KillAsync();
        Assert.True(ProcessGroups.IsAlive(pid), "the payload should run on while its agent is down");
        await _agent.StartAgainAsync();

        var adopted = await RetrieveJsonAsync(id);
        Assert.Equal("Running", adopted.GetProperty("status").GetString());
        Assert.Equal(pid, adopted.GetProperty("pid").GetInt32());
        await File.WriteAllTextAsync(Path.Combine(waiting.GetProperty("loc").GetString()!, "go"), "");
        await WaitForStatusAsync(id, "Failed");
        Assert.Equal("4", (await PartialAsync(id))[".orchestrator.exit"].Trim());
        Assert.Equal("before", (await WaitForZipAsync(done))["out.txt"].Trim());

        var next = (await SubmitAsync(("run.sh", "true\n"))).GetProperty("id").GetUInt32();
        Assert.True(next > id, "ids must not be reused after a restart");
    }

    [Fact]
    public async Task A_payload_whose_process_vanished_is_marked_Failed_also_when_it_vanished_while_the_agent_was_down()
    {
        const string script = "sleep 60\n";
        var first = (await SubmitAsync(("run.sh", script))).GetProperty("id").GetUInt32();
        var second = (await SubmitAsync(("run.sh", script))).GetProperty("id").GetUInt32();
        var firstPid = (await WaitForStatusAsync(first, "Running")).GetProperty("pid").GetInt32();
        var secondPid = (await WaitForStatusAsync(second, "Running")).GetProperty("pid").GetInt32();

        ProcessGroups.Kill(firstPid);
        await WaitForStatusAsync(first, "Failed");

        await _agent.KillAsync();
        ProcessGroups.Kill(secondPid);
        await Eventually.UntilAsync(() => !ProcessGroups.IsAlive(secondPid), "the second payload's process to die");
        await _agent.StartAgainAsync();
        await WaitForStatusAsync(second, "Failed");
        Assert.False((await PartialAsync(second)).ContainsKey(".orchestrator.exit"));
    }

    async Task<JsonElement> SubmitAsync(params (string Name, string Content)[] files)
    {
        using var response = await PostFilesAsync(files);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"/submit answered {(int)response.StatusCode}: {text}{Environment.NewLine}{_agent.Output}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    Task<HttpResponseMessage> PostFilesAsync(params (string Name, string Content)[] files)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, content) in files)
        {
            var part = new StringContent(content);
            part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(part, "file", name);
        }

        return _agent.Http.PostAsync("/submit", form);
    }

    async Task<JsonElement> RetrieveJsonAsync(uint id)
    {
        using var response = await _agent.Http.GetAsync($"/retrieve/{id}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    async Task<JsonElement> WaitForStatusAsync(uint id, string status)
    {
        try
        {
            return await Eventually.UntilAsync(async () =>
            {
                using var response = await _agent.Http.GetAsync($"/retrieve/{id}");
                return response.Content.Headers.ContentType?.MediaType == "application/json"
                    ? JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone()
                    : JsonDocument.Parse("{\"status\":\"Completed\"}").RootElement.Clone();
            }, p => p.GetProperty("status").GetString() == status, $"payload {id} to be {status}", TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}{Environment.NewLine}{_agent.Output}", ex);
        }
    }

    async Task<Dictionary<string, string>> WaitForZipAsync(uint id) =>
        await Eventually.UntilAsync(async () =>
        {
            using var response = await _agent.Http.GetAsync($"/retrieve/{id}");
            return response.Content.Headers.ContentType?.MediaType == "application/zip" ? Unzip(await response.Content.ReadAsByteArrayAsync()) : null;
        }, files => files is not null, $"payload {id} to complete", TimeSpan.FromSeconds(30)) ?? [];

    async Task<Dictionary<string, string>> PartialAsync(uint id)
    {
        using var response = await _agent.Http.GetAsync($"/retrieve_partial/{id}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        return Unzip(await response.Content.ReadAsByteArrayAsync());
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

    static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string mentions)
    {
        var problem = await ProblemAssert.IsProblemAsync(response, status);
        Assert.Contains(mentions, problem.GetRawText(), StringComparison.OrdinalIgnoreCase);
    }
}
