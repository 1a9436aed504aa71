using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Orchestrator.IntegrationTests.Infrastructure;

namespace Orchestrator.IntegrationTests.EndToEnd;

/// <summary>What clients of the Api see: problem details for every refusal, HEAD, safe file names, job status.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class ApiBehaviourTests(ApiBehaviourFixture fixture) : IClassFixture<ApiBehaviourFixture>, IDisposable
{
    readonly OrchestratorSystem _system = fixture.System;
    readonly JobLedger _ledger = new();

    public void Dispose() => _ledger.Dispose();

    [Theory]
    [InlineData(null, "generic", "run.sh", "Missing user_id")]
    [InlineData("abc", "generic", "run.sh", "Invalid user_id")]
    [InlineData("-1", "generic", "run.sh", "Invalid user_id")]
    [InlineData("1", null, "run.sh", "Missing service")]
    [InlineData("1", "no-such-service", "run.sh", "Unknown service")]
    [InlineData("1", "generic", "data.txt", "Missing run.sh")]
    [InlineData("1", "generic", null, "No files")]
    public async Task An_invalid_upload_is_refused_with_400_problem_details_and_leaves_nothing_behind(
        string? userId, string? service, string? fileName, string title)
    {
        var before = await JobCountAsync();
        using var form = new MultipartFormDataContent();
        if (fileName is not null)
            form.Add(new StringContent("echo hi\n"), "file", fileName);
        if (userId is not null)
            form.Add(new StringContent(userId), "user_id");
        if (service is not null)
            form.Add(new StringContent(service), "service");

        using var response = await _system.Api.PostAsync("/upload", form);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, title);
        Assert.Equal(before, await JobCountAsync());
        AssertNothingStaged();
    }

    [Theory]
    [InlineData("application/json", "{\"user_id\":1,\"service\":\"generic\"}")]
    [InlineData("application/x-www-form-urlencoded", "user_id=1&service=generic")]
    public async Task A_body_that_is_not_multipart_is_refused_with_400_problem_details(string contentType, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, contentType);
        using var response = await _system.Api.PostAsync("/upload", content);
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "Not a multipart upload");
    }

    [Fact]
    public async Task An_upload_over_the_size_limit_is_refused_with_413_problem_details_and_leaves_nothing_behind()
    {
        var before = await JobCountAsync();
        using var response = await _system.UploadAsync("echo hi\n", extraFiles: new Dictionary<string, string>
        {
            ["data.bin"] = new('x', ApiBehaviourFixture.MaxUploadBytes * 2),
        });

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "Upload too large");
        Assert.Equal(before, await JobCountAsync());
        AssertNothingStaged();
    }

    [Theory]
    [InlineData("/download/999999")]
    [InlineData("/jobs/999999")]
    [InlineData("/download/abc")]
    [InlineData("/jobs/abc")]
    [InlineData("/jobs/-1")]
    public async Task An_unknown_job_is_404_problem_details(string path)
    {
        using var response = await _system.Api.GetAsync(path);
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound, "Unknown job");
    }

    [Fact]
    public async Task Head_of_a_download_answers_202_while_the_job_runs_then_200_with_the_zip_type_and_no_body()
    {
        var (id, _) = await _system.SubmitAsync(_ledger.WaitFor("finish") + "echo done > output.txt\n");

        using (var pending = await HeadAsync(id))
        {
            Assert.Equal(HttpStatusCode.Accepted, pending.StatusCode);
            Assert.Empty(await pending.Content.ReadAsByteArrayAsync());
        }

        _ledger.Signal("finish");
        await Eventually.UntilAsync(async () =>
        {
            using var head = await HeadAsync(id);
            return head.StatusCode;
        }, status => status == HttpStatusCode.OK, $"HEAD /download/{id} to answer 200");

        using var done = await HeadAsync(id);
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Equal("application/zip", done.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await done.Content.ReadAsByteArrayAsync());
        Assert.True(done.Content.Headers.ContentLength is null or 0, $"HEAD announced a body of {done.Content.Headers.ContentLength} bytes");

        using var download = await _system.Api.GetAsync($"/download/{id}");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.NotEmpty(await download.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Uploaded_file_names_that_climb_out_are_stored_by_their_last_segment_inside_the_job()
    {
        var tag = Guid.NewGuid().ToString("N");
        var (id, directory) = await _system.SubmitAsync("cat escape-" + tag + ".txt > seen.txt\n", new Dictionary<string, string>
        {
            [$"../escape-{tag}.txt"] = "one level",
            [$"../../../outside-{tag}.txt"] = "three levels",
        });

        var job = await _system.WaitForFinalStateAsync(id);
        Assert.Equal("Completed", job.State());

        using var download = await _system.Api.GetAsync($"/download/{id}");
        using var zip = new ZipArchive(await download.Content.ReadAsStreamAsync());
        Assert.DoesNotContain(zip.Entries, e => e.FullName.Contains("..") || e.FullName.StartsWith('/'));
        Assert.Equal("one level", await ReadEntryAsync(zip, $"escape-{tag}.txt"));
        Assert.Equal("three levels", await ReadEntryAsync(zip, $"outside-{tag}.txt"));
        Assert.Equal("one level", await ReadEntryAsync(zip, "seen.txt"));

        // Every copy of either file is the one in the job's own directory; none was written around it.
        var copies = Directory.EnumerateFiles(_system.JobsRoot, $"*-{tag}.txt", SearchOption.AllDirectories).ToList();
        Assert.Equal(
            new[] { Path.Combine(directory, $"escape-{tag}.txt"), Path.Combine(directory, $"outside-{tag}.txt") }.Order(),
            copies.Order());
        var outside = Path.GetDirectoryName(_system.JobsRoot)!;
        Assert.Empty(Directory.EnumerateFiles(outside, $"*-{tag}.txt", SearchOption.TopDirectoryOnly));
    }

    [Fact]
    public async Task Job_status_has_state_timed_transitions_destination_and_exit_code()
    {
        var (id, _) = await _system.SubmitAsync("echo hi\n");

        var job = await _system.WaitForFinalStateAsync(id);

        Assert.Equal(id, job.GetProperty("id").GetInt64());
        Assert.Equal("Completed", job.State());
        Assert.Equal("local", job.GetProperty("destination").GetString());
        Assert.Equal(0, job.ExitCode());
        Assert.Null(job.Error());
        Assert.Equal(1, job.GetProperty("user_id").GetInt32());
        Assert.Equal("generic", job.GetProperty("service").GetString());
        var transitions = job.GetProperty("transitions").EnumerateArray()
            .Select(t => (State: t.GetProperty("state").GetString(), At: t.GetProperty("at").GetDateTimeOffset()))
            .ToList();
        Assert.Equal(["Submitted", "Queued", "Dispatched", "Running", "Completed"], transitions.Select(t => t.State));
        for (var i = 1; i < transitions.Count; i++)
            Assert.True(transitions[i].At >= transitions[i - 1].At, $"{transitions[i].State} is timed before {transitions[i - 1].State}");
        Assert.InRange(transitions[0].At, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task Job_ids_are_small_integers_that_increase_by_one()
    {
        using var first = await _system.UploadAsync("true\n");
        using var second = await _system.UploadAsync("true\n");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);

        var firstBody = await first.Content.ReadFromJsonAsync<JsonElement>();
        var secondBody = await second.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(JsonValueKind.Number, firstBody.GetProperty("id").ValueKind);
        var firstId = firstBody.GetProperty("id").GetInt64();
        Assert.InRange(firstId, 1, 1000);
        Assert.Equal(firstId + 1, secondBody.GetProperty("id").GetInt64());
        Assert.Equal($"/jobs/{firstId}", first.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task An_upload_whose_message_cannot_be_stored_leaves_no_job_behind()
    {
        // The job's row and its JobSubmitted are written by one batch: make the message's insert fail, for this test's
        // user only, and the job must not exist either.
        const int user = 4242;
        await _system.Database.ExecuteAsync($$"""
            CREATE FUNCTION api.refuse_test_message() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'refused by the test'; END $$;
            CREATE TRIGGER refuse_test_message BEFORE INSERT ON api.outbox_messages FOR EACH ROW
                WHEN ((NEW.body ->> 'userId') = '{{user}}') EXECUTE FUNCTION api.refuse_test_message();
            """);
        try
        {
            var jobsBefore = await JobCountAsync();
            var directoriesBefore = Directory.GetDirectories(_system.JobsRoot).Order().ToList();

            using var refused = await _system.UploadAsync("true\n", userId: user);

            Assert.Equal(HttpStatusCode.InternalServerError, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Equal(jobsBefore, await JobCountAsync());
            Assert.Equal(0L, await _system.Database.ScalarAsync<long>($"SELECT count(*) FROM api.jobs WHERE user_id = {user}"));
            Assert.Equal(directoriesBefore, Directory.GetDirectories(_system.JobsRoot).Order().ToList());
            AssertNothingStaged();
        }
        finally
        {
            await _system.Database.ExecuteAsync(
                "DROP TRIGGER refuse_test_message ON api.outbox_messages; DROP FUNCTION api.refuse_test_message();");
        }

        using var accepted = await _system.UploadAsync("true\n", userId: user);
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        Assert.Equal(1L, await _system.Database.ScalarAsync<long>($"SELECT count(*) FROM api.jobs WHERE user_id = {user}"));
    }

    [Fact]
    public async Task Every_service_answers_health_with_200_and_status_ok()
    {
        foreach (var service in OrchestratorSystem.AllServices)
        {
            using var client = new HttpClient { BaseAddress = _system[service].BaseAddress };
            using var response = await client.GetAsync("/health");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("ok", body.GetProperty("status").GetString());
            Assert.Equal("ok", body.GetProperty("database").GetString());
        }
    }

    Task<HttpResponseMessage> HeadAsync(long id) =>
        _system.Api.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/download/{id}"));

    Task<long> JobCountAsync() => _system.Database.ScalarAsync<long>("SELECT count(*) FROM api.jobs");

    /// <summary>A refused upload's staged files are removed with it.</summary>
    void AssertNothingStaged()
    {
        var incoming = Path.Combine(_system.JobsRoot, ".incoming");
        Assert.True(!Directory.Exists(incoming) || !Directory.EnumerateFileSystemEntries(incoming).Any(),
            $"{incoming} still holds {string.Join(", ", Directory.Exists(incoming) ? Directory.EnumerateFileSystemEntries(incoming) : [])}");
    }

    static async Task<string> ReadEntryAsync(ZipArchive zip, string name)
    {
        var entry = zip.GetEntry(name) ?? throw new Xunit.Sdk.XunitException($"{name} missing from the zip ({string.Join(", ", zip.Entries.Select(e => e.FullName))})");
        using var reader = new StreamReader(entry.Open());
        return (await reader.ReadToEndAsync()).Trim();
    }
}
