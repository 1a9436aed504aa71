using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Orchestrator.IntegrationTests.Infrastructure;

namespace Orchestrator.IntegrationTests.EndToEnd;

/// <summary>The versioned JSON API: submission with inline and fetched files, idempotency, listing, files, cancel.</summary>
public sealed class V1ApiTests(V1SystemFixture fixture) : IClassFixture<V1SystemFixture>
{
    static int _nextUser = 1000;
    readonly OrchestratorSystem _system = fixture.System;

    static int NewUser() => Interlocked.Increment(ref _nextUser);

    static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    static JsonObject Job(int user, string script, string? id = null, params JsonObject[] extraFiles)
    {
        var files = new JsonArray(new JsonObject { ["path"] = "run.sh", ["content"] = script });
        foreach (var file in extraFiles)
            files.Add(file);
        var job = new JsonObject { ["service"] = "generic", ["user"] = user, ["files"] = files };
        if (id is not null)
            job["id"] = id;
        return job;
    }

    async Task<HttpResponseMessage> PostAsync(JsonNode body, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/jobs")
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (idempotencyKey is not null)
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await _system.Api.SendAsync(request);
    }

    async Task<JsonElement> CreatedAsync(JsonNode body, string? idempotencyKey = null)
    {
        using var response = await PostAsync(body, idempotencyKey);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"expected 201, got {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    Task<JsonElement> GetJobAsync(string id) => _system.Api.GetFromJsonAsync<JsonElement>($"/v1/jobs/{id}");

    Task<JsonElement> UntilStateAsync(string id, string state, TimeSpan? timeout = null) =>
        Eventually.UntilAsync(() => GetJobAsync(id), j => j.GetProperty("state").GetString() == state,
            $"job {id} to be {state}", timeout);

    static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem;
    }

    [Fact]
    public async Task A_json_job_with_inline_text_base64_and_fetched_files_runs_and_its_files_and_result_are_served()
    {
        var id = NewId("inline");
        var body = Job(NewUser(), "cat data/in.txt data/fetched.txt > out.txt\nhead -c 4 data/bytes.bin > copy.bin\n", id,
            new JsonObject { ["path"] = "data/in.txt", ["content"] = "inline text\n" },
            new JsonObject { ["path"] = "data/bytes.bin", ["content"] = Convert.ToBase64String([0, 1, 2, 255]), ["encoding"] = "base64" },
            new JsonObject { ["path"] = "data/fetched.txt", ["url"] = new Uri(fixture.Files.BaseAddress, "/input.txt").ToString() });
        body["environment"] = new JsonObject { ["GREETING"] = "hello" };
        body["timeoutSeconds"] = 120;

        using var response = await PostAsync(body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal($"/v1/jobs/{id}", response.Headers.Location?.OriginalString);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(id, created.GetProperty("id").GetString());
        Assert.Equal(120, created.GetProperty("timeoutSeconds").GetInt32());
        Assert.Equal("hello", created.GetProperty("environment").GetProperty("GREETING").GetString());
        var number = created.GetProperty("number").GetInt64();

        var done = await UntilStateAsync(id, "Completed");
        Assert.Equal(0, done.GetProperty("exitCode").GetInt32());
        var byNumber = await GetJobAsync(number.ToString());
        Assert.Equal(id, byNumber.GetProperty("id").GetString());

        Assert.Equal("inline text\nfetched by url\n", await _system.Api.GetStringAsync($"/v1/jobs/{id}/files/out.txt"));
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, await _system.Api.GetByteArrayAsync($"/v1/jobs/{number}/files/copy.bin"));
        var listing = await _system.Api.GetFromJsonAsync<JsonElement>($"/v1/jobs/{id}/files");
        var paths = listing.EnumerateArray().Select(f => f.GetProperty("path").GetString()).ToList();
        Assert.Contains("data/in.txt", paths);
        Assert.Contains("run.sh", paths);

        using var result = await _system.Api.GetAsync($"/v1/jobs/{id}/result");
        Assert.Equal(HttpStatusCode.OK, result.StatusCode);
        Assert.Equal("application/zip", result.Content.Headers.ContentType?.MediaType);
        using var zip = new ZipArchive(await result.Content.ReadAsStreamAsync());
        Assert.NotNull(zip.GetEntry("data/fetched.txt"));
        Assert.NotNull(zip.GetEntry("out.txt"));
    }

    [Fact]
    public async Task Resubmitting_the_same_id_and_body_returns_the_same_job_and_a_different_body_is_409()
    {
        var id = NewId("repeat");
        var body = Job(NewUser(), "echo once\n", id);
        var first = await CreatedAsync(body);

        using (var again = await PostAsync(body))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            var repeat = await again.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(first.GetProperty("number").GetInt64(), repeat.GetProperty("number").GetInt64());
            Assert.Equal(first.GetProperty("jobId").GetGuid(), repeat.GetProperty("jobId").GetGuid());
        }

        var different = Job(body["user"]!.GetValue<int>(), "echo twice\n", id);
        using var conflict = await PostAsync(different);
        var problem = await ProblemAsync(conflict, HttpStatusCode.Conflict);
        Assert.Equal("Job id in use", problem.GetProperty("title").GetString());
        var count = await _system.Database.ScalarAsync<long>($"SELECT count(*) FROM api.jobs WHERE client_id = '{id}'");
        Assert.Equal(1, count);
    }

    [Fact]
    public async Task Concurrent_submissions_with_one_id_make_one_job()
    {
        var id = NewId("race");
        var body = Job(NewUser(), "echo race\n", id);
        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => PostAsync(body)));
        var numbers = new HashSet<long>();
        foreach (var response in responses)
        {
            Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            numbers.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetInt64());
            response.Dispose();
        }

        Assert.Single(numbers);
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
    }

    [Fact]
    public async Task The_idempotency_key_header_returns_the_same_job_and_refuses_its_reuse_for_another_body()
    {
        var user = NewUser();
        var key = Guid.NewGuid().ToString();
        var first = await CreatedAsync(Job(user, "echo keyed\n"), key);
        Assert.Equal(first.GetProperty("number").GetInt64().ToString(), first.GetProperty("id").GetString());

        using (var again = await PostAsync(Job(user, "echo keyed\n"), $"\"{key}\""))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            Assert.Equal(first.GetProperty("number").GetInt64(), (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetInt64());
        }

        using var reused = await PostAsync(Job(user, "echo other\n"), key);
        var problem = await ProblemAsync(reused, HttpStatusCode.UnprocessableEntity);
        Assert.Equal("Idempotency key reused", problem.GetProperty("title").GetString());

        var other = await CreatedAsync(Job(user, "echo keyed\n"), Guid.NewGuid().ToString());
        Assert.NotEqual(first.GetProperty("number").GetInt64(), other.GetProperty("number").GetInt64());
    }

    public static TheoryData<string, string> InvalidJobs => new()
    {
        { """{"id":"-starts-with-dash","service":"generic","user":1,"files":[{"path":"run.sh","content":"true"}]}""", "Invalid id" },
        { """{"id":"12345","service":"generic","user":1,"files":[{"path":"run.sh","content":"true"}]}""", "Invalid id" },
        { """{"service":"generic","user":1,"files":[{"path":"run.sh","content":"true"},{"path":"../escape","content":"x"}]}""", "Invalid file path" },
        { """{"service":"generic","user":1,"files":[{"path":"run.sh","content":"true"},{"path":"/etc/passwd","content":"x"}]}""", "Invalid file path" },
        { """{"service":"generic","user":1,"files":[{"path":"run.sh","content":"true"},{"path":"a/./b","content":"x"}]}""", "Invalid file path" },
        { """{"service":"generic","user":1,"files":[{"path":"sub/run.sh","content":"true"}]}""", "Missing run.sh" },
        { """{"service":"generic","user":1,"files":[]}""", "No files" },
        { """{"service":"generic","user":1,"files":[{"path":"run.sh","content":"%%%","encoding":"base64"}]}""", "Invalid file" },
        { """{"service":"generic","user":1,"files":[{"path":"run.sh","content":"true","url":"http://127.0.0.1/x"}]}""", "Invalid file" },
        { """{"service":"generic","user":1,"files":[{"path":"run.sh","url":"file:///etc/passwd"}]}""", "Invalid file url" },
        { """{"service":"no-such-service","user":1,"files":[{"path":"run.sh","content":"true"}]}""", "Unknown service" },
        { """{"service":"generic","files":[{"path":"run.sh","content":"true"}]}""", "Missing user" },
        { """{"service":"generic","user":1,"timeoutSeconds":0,"files":[{"path":"run.sh","content":"true"}]}""", "Invalid timeout" },
        { """{"service":"generic","user":1,"environment":{"1BAD":"x"},"files":[{"path":"run.sh","content":"true"}]}""", "Invalid environment variable" },
        { """{"service":"generic","user":1,"callback":{"url":"ftp://example.org/"},"files":[{"path":"run.sh","content":"true"}]}""", "Invalid callback" },
        { """{"service":"generic","user":1,"unknownField":true,"files":[{"path":"run.sh","content":"true"}]}""", "Malformed JSON" },
        { """{"service":"generic","user":1,"files":[""", "Malformed JSON" },
    };

    [Theory]
    [MemberData(nameof(InvalidJobs))]
    public async Task An_invalid_job_is_refused_with_400_problem_details_and_leaves_nothing_behind(string json, string title)
    {
        var jobsBefore = await _system.Database.ScalarAsync<long>("SELECT count(*) FROM api.jobs");
        using var response = await _system.Api.PostAsync("/v1/jobs", new StringContent(json, Encoding.UTF8, "application/json"));
        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(title, problem.GetProperty("title").GetString());
        Assert.Equal(jobsBefore, await _system.Database.ScalarAsync<long>("SELECT count(*) FROM api.jobs"));
        var incoming = Path.Combine(_system.JobsRoot, ".incoming");
        Assert.True(!Directory.Exists(incoming) || !Directory.EnumerateFileSystemEntries(incoming).Any(), "staging should be empty");
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_415_problem_details()
    {
        using var response = await _system.Api.PostAsync("/v1/jobs", new StringContent("service=generic", Encoding.UTF8, "application/x-www-form-urlencoded"));
        await ProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Theory]
    [InlineData("/missing.txt", HttpStatusCode.UnprocessableEntity, "Download failed")]
    [InlineData("/slow.txt", HttpStatusCode.UnprocessableEntity, "Download failed")]
    [InlineData("/large.bin", HttpStatusCode.RequestEntityTooLarge, "Job too large")]
    public async Task A_file_url_that_cannot_be_fetched_within_the_limits_refuses_the_job(string path, HttpStatusCode status, string title)
    {
        var body = Job(NewUser(), "true\n", NewId("fetch"),
            new JsonObject { ["path"] = "input", ["url"] = new Uri(fixture.Files.BaseAddress, path).ToString() });
        using var response = await PostAsync(body);
        var problem = await ProblemAsync(response, status);
        Assert.Equal(title, problem.GetProperty("title").GetString());
        Assert.Contains("input", problem.GetProperty("detail").GetString());
        Assert.Equal(0, await _system.Database.ScalarAsync<long>($"SELECT count(*) FROM api.jobs WHERE client_id = '{body["id"]}'"));
    }

    [Fact]
    public async Task Listing_filters_by_user_service_and_state_and_pages_with_a_cursor()
    {
        var user = NewUser();
        var numbers = new List<long>();
        for (var i = 0; i < 5; i++)
            numbers.Add((await CreatedAsync(Job(user, $"echo {i}\n"))).GetProperty("number").GetInt64());
        await CreatedAsync(Job(NewUser(), "echo someone else\n"));

        var seen = new List<long>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var url = $"/v1/jobs?user={user}&service=generic&limit=2" + (cursor is null ? "" : $"&cursor={cursor}");
            using var response = await _system.Api.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = await response.Content.ReadFromJsonAsync<JsonElement>();
            var items = page.GetProperty("items").EnumerateArray().ToList();
            Assert.True(items.Count <= 2);
            Assert.All(items, item => Assert.Equal(user, item.GetProperty("user").GetInt32()));
            seen.AddRange(items.Select(item => item.GetProperty("number").GetInt64()));
            cursor = page.GetProperty("nextCursor").GetString();
            Assert.Equal(cursor is not null, response.Headers.Contains("Link"));
            pages++;
        }
        while (cursor is not null && pages < 10);

        Assert.Equal(numbers.OrderDescending(), seen);
        Assert.Equal(3, pages);

        await Eventually.UntilAsync(async () =>
            {
                var page = await _system.Api.GetFromJsonAsync<JsonElement>($"/v1/jobs?user={user}&state=Completed");
                return page.GetProperty("items").GetArrayLength();
            }, count => count == 5, "all five jobs to be listed as Completed");
        var none = await _system.Api.GetFromJsonAsync<JsonElement>($"/v1/jobs?user={user}&service=haddock");
        Assert.Equal(0, none.GetProperty("items").GetArrayLength());
    }

    [Theory]
    [InlineData("/v1/jobs?limit=0")]
    [InlineData("/v1/jobs?limit=21")]
    [InlineData("/v1/jobs?user=abc")]
    [InlineData("/v1/jobs?cursor=not-a-cursor")]
    public async Task Listing_refuses_bad_parameters_and_unbounded_pages(string url)
    {
        using var response = await _system.Api.GetAsync(url);
        await ProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Listing_without_a_limit_returns_a_bounded_page()
    {
        for (var i = 0; i < 3; i++)
            await CreatedAsync(Job(NewUser(), "true\n"));
        var page = await _system.Api.GetFromJsonAsync<JsonElement>("/v1/jobs?limit=2");
        Assert.Equal(2, page.GetProperty("items").GetArrayLength());
        Assert.NotNull(page.GetProperty("nextCursor").GetString());
    }

    [Theory]
    [InlineData("/v1/jobs/no-such-job")]
    [InlineData("/v1/jobs/999999")]
    [InlineData("/v1/jobs/no-such-job/result")]
    [InlineData("/v1/jobs/no-such-job/files/run.sh")]
    public async Task An_unknown_job_is_404_problem_details(string url)
    {
        using var response = await _system.Api.GetAsync(url);
        await ProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_running_job_serves_files_but_no_result_and_is_cancelled_by_delete()
    {
        var id = NewId("cancel");
        await CreatedAsync(Job(NewUser(), "echo started > started.txt\nsleep 60\n", id));
        await Eventually.UntilAsync(async () =>
            {
                using var response = await _system.Api.GetAsync($"/v1/jobs/{id}/files/started.txt");
                return response.StatusCode == HttpStatusCode.OK;
            }, "the job to start writing files");

        using (var early = await _system.Api.GetAsync($"/v1/jobs/{id}/result"))
            Assert.Equal("Job not finished", (await ProblemAsync(early, HttpStatusCode.Conflict)).GetProperty("title").GetString());
        using (var missing = await _system.Api.GetAsync($"/v1/jobs/{id}/files/nothing-here.txt"))
            await ProblemAsync(missing, HttpStatusCode.NotFound);
        using (var climbing = await _system.Api.GetAsync($"/v1/jobs/{id}/files/..%2F..%2Fetc%2Fpasswd"))
            await ProblemAsync(climbing, HttpStatusCode.NotFound);

        using (var cancel = await _system.Api.DeleteAsync($"/v1/jobs/{id}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
            var view = await cancel.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(JsonValueKind.String, view.GetProperty("cancelRequestedAt").ValueKind);
        }

        await UntilStateAsync(id, "Cancelled");
        using (var again = await _system.Api.DeleteAsync($"/v1/jobs/{id}"))
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        using var result = await _system.Api.GetAsync($"/v1/jobs/{id}/result");
        Assert.Equal(HttpStatusCode.OK, result.StatusCode);
    }

    [Fact]
    public async Task Deleting_a_finished_job_is_409_and_an_unknown_one_404()
    {
        var id = NewId("finished");
        await CreatedAsync(Job(NewUser(), "true\n", id));
        await UntilStateAsync(id, "Completed");
        using (var finished = await _system.Api.DeleteAsync($"/v1/jobs/{id}"))
            await ProblemAsync(finished, HttpStatusCode.Conflict);
        using var unknown = await _system.Api.DeleteAsync("/v1/jobs/no-such-job");
        await ProblemAsync(unknown, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Terminate_answers_like_the_wenmr_orchestrator_and_cancels_the_job()
    {
        var upload = await _system.UploadAsync("sleep 60\n", userId: NewUser());
        var number = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        await UntilStateAsync(number.ToString(), "Running");

        using (var terminate = await _system.Api.PostAsync($"/terminate/{number}", null))
        {
            Assert.Equal(HttpStatusCode.OK, terminate.StatusCode);
            var body = await terminate.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("job terminated", body.GetProperty("message").GetString());
        }

        await UntilStateAsync(number.ToString(), "Cancelled");
        using (var download = await _system.Api.GetAsync($"/download/{number}"))
            Assert.Equal(HttpStatusCode.NoContent, download.StatusCode);
        using var unknown = await _system.Api.PostAsync("/terminate/999999", null);
        await ProblemAsync(unknown, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Every_attempt_of_a_retried_job_is_recorded_in_attempts()
    {
        var id = NewId("retried");
        var body = Job(NewUser(), "n=$(cat count 2>/dev/null || echo 0)\nn=$((n+1))\necho $n > count\n[ \"$n\" -ge 3 ] || exit 3\n", id);
        body["service"] = "prodigy";
        await CreatedAsync(body);

        // Events of one job may be applied out of order; the view settles once all of them are in.
        var job = await Eventually.UntilAsync(() => GetJobAsync(id), j =>
                j.GetProperty("state").GetString() == "Completed"
                && j.GetProperty("attempts").GetArrayLength() == 3
                && j.GetProperty("attempts").EnumerateArray().All(a => a.GetProperty("outcome").ValueKind == JsonValueKind.String
                    && a.GetProperty("dispatchedAt").ValueKind == JsonValueKind.String
                    && a.GetProperty("startedAt").ValueKind == JsonValueKind.String
                    && a.GetProperty("finishedAt").ValueKind == JsonValueKind.String),
            $"job {id} to complete with three finished attempts");
        var attempts = job.GetProperty("attempts").EnumerateArray().ToList();
        Assert.Equal([1, 2, 3], attempts.Select(a => a.GetProperty("attempt").GetInt32()));
        Assert.Equal([3, 3, 0], attempts.Select(a => a.GetProperty("exitCode").GetInt32()));
        Assert.All(attempts, a => Assert.Equal("Exited", a.GetProperty("outcome").GetString()));
        Assert.Equal("Completed", attempts[^1].GetProperty("state").GetString());
        Assert.All(attempts[..^1], a => Assert.NotEqual("Completed", a.GetProperty("state").GetString()));
        foreach (var attempt in attempts)
        {
            var dispatched = attempt.GetProperty("dispatchedAt").GetDateTimeOffset();
            var started = attempt.GetProperty("startedAt").GetDateTimeOffset();
            var finished = attempt.GetProperty("finishedAt").GetDateTimeOffset();
            Assert.True(dispatched <= started && started <= finished, $"attempt times out of order: {attempt}");
        }
    }

    [Fact]
    public async Task A_job_that_ran_once_has_one_attempt()
    {
        var id = NewId("once");
        await CreatedAsync(Job(NewUser(), "exit 4\n", id));
        var job = await UntilStateAsync(id, "Failed");
        var attempt = Assert.Single(job.GetProperty("attempts").EnumerateArray());
        Assert.Equal(1, attempt.GetProperty("attempt").GetInt32());
        Assert.Equal("Failed", attempt.GetProperty("state").GetString());
        Assert.Equal(4, attempt.GetProperty("exitCode").GetInt32());
        Assert.Equal("local", attempt.GetProperty("destination").GetString());
    }
}
