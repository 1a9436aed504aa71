using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Orchestrator.IntegrationTests.Infrastructure;

namespace Orchestrator.IntegrationTests.EndToEnd;

/// <summary>
/// Uploads into a jobs directory that is full or read-only: the Api runs in a mount namespace of its own (unshare)
/// with a 1 MiB tmpfs, or a read-only one, as its jobs root. The answer is 507 or 503, no job row is written, nothing
/// stays staged, and the Api keeps serving.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class HostileInputStorageTests : IAsyncLifetime
{
    TestDatabase _database = null!;
    TestVirtualHost _virtualHost = null!;
    readonly string _jobsRoot = Path.Combine(Path.GetTempPath(), $"orch-storage-{Guid.NewGuid():N}");

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _virtualHost = await TestVirtualHost.CreateAsync();
        Directory.CreateDirectory(_jobsRoot);
    }

    public async Task DisposeAsync()
    {
        await _virtualHost.DisposeAsync();
        await _database.DisposeAsync();
        Directory.Delete(_jobsRoot, recursive: true);
    }

    [Fact]
    public async Task An_upload_into_a_full_disk_is_507_and_leaves_no_job_and_no_files()
    {
        await using var api = await StartApiAsync("size=1m");
        using var client = new HttpClient { BaseAddress = api.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

        using var full = await UploadAsync(client, new string('x', 2 * 1024 * 1024));

        await AssertProblemAsync(full, HttpStatusCode.InsufficientStorage, "Insufficient storage");
        Assert.Equal(0L, await _database.ScalarAsync<long>("SELECT count(*) FROM api.jobs"));
        Assert.Empty(Entries(api, ".incoming"));

        // The space the refused upload took is given back: a small job fits and is stored whole.
        using var small = await UploadAsync(client, "small");
        Assert.Equal(HttpStatusCode.Created, small.StatusCode);
        var directory = (await small.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("loc").GetString()!;
        Assert.Equal(["data.txt", "run.sh"], Entries(api, Path.GetFileName(directory)).Order());
        Assert.Equal(1L, await _database.ScalarAsync<long>("SELECT count(*) FROM api.jobs"));
    }

    [Fact]
    public async Task An_upload_into_a_read_only_jobs_directory_is_503_and_leaves_no_job()
    {
        await using var api = await StartApiAsync("ro,size=1m");
        using var client = new HttpClient { BaseAddress = api.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

        using var response = await UploadAsync(client, "data");

        await AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, "Storage unavailable");
        Assert.Equal(0L, await _database.ScalarAsync<long>("SELECT count(*) FROM api.jobs"));
        using var health = await client.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    async Task<ServiceProcess> StartApiAsync(string mountOptions)
    {
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Orchestrator"] = _database.ConnectionString,
            ["RabbitMq__VirtualHost"] = _virtualHost.Name,
            ["Orchestrator__Storage__JobsRoot"] = _jobsRoot,
            ["Outbox__PollInterval"] = "00:00:00.200",
            ["ORCH_TEST_MOUNT"] = _jobsRoot,
            ["ORCH_TEST_MOUNT_OPTIONS"] = mountOptions,
        };
        // The tmpfs exists only in the Api's own mount namespace and goes with it; the test sees it through /proc/{pid}/root.
        string[] launcher =
        [
            "unshare", "--mount", "--propagation", "private", "sh", "-c",
            "mount -t tmpfs -o \"$ORCH_TEST_MOUNT_OPTIONS\" orch-test \"$ORCH_TEST_MOUNT\" && exec \"$@\"", "sh",
        ];
        var api = new ServiceProcess("Api", ServiceProcess.FreePort(), environment, launcher);
        try
        {
            await api.StartAsync();
        }
        catch
        {
            await api.DisposeAsync();
            throw;
        }

        return api;
    }

    /// <summary>Names in a directory under the jobs root as the Api sees it, inside its mount namespace.</summary>
    List<string> Entries(ServiceProcess api, string relative)
    {
        var path = $"/proc/{api.ProcessId}/root{Path.Combine(_jobsRoot, relative)}";
        return Directory.Exists(path) ? Directory.EnumerateFileSystemEntries(path).Select(p => Path.GetFileName(p)!).ToList() : [];
    }

    static async Task<HttpResponseMessage> UploadAsync(HttpClient client, string data)
    {
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent("true\n"), "file", "run.sh");
        form.Add(new StringContent(data), "file", "data.txt");
        form.Add(new StringContent("1"), "user_id");
        form.Add(new StringContent("generic"), "service");
        return await client.PostAsync("/upload", form);
    }

    static Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string title) =>
        ProblemAssert.IsProblemAsync(response, status, title, "orch-storage-");
}
