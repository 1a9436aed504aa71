using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Orchestrator.IntegrationTests.Infrastructure;

namespace Orchestrator.IntegrationTests.EndToEnd;

/// <summary>The README's curl example against the four services on real RabbitMQ and PostgreSQL.</summary>
public sealed class PipelineTests : IAsyncLifetime
{
    OrchestratorSystem _system = null!;

    public async Task InitializeAsync() =>
        _system = await OrchestratorSystem.StartAsync(new Dictionary<string, string>
        {
            ["Orchestrator__Retention"] = "00:00:04",
        });

    public async Task DisposeAsync() => await _system.DisposeAsync();

    [Fact]
    public async Task A_submitted_job_is_run_and_its_results_downloaded_as_a_zip_then_cleaned()
    {
        var upload = await _system.UploadAsync("sleep 1\necho hello > output.txt\n");
        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        var body = await upload.Content.ReadFromJsonAsync<JsonElement>();
        var id = body.GetProperty("id").GetInt64();
        Assert.Equal(1, body.GetProperty("user_id").GetInt32());
        Assert.Equal("generic", body.GetProperty("service").GetString());

        using (var pending = await _system.Api.GetAsync($"/download/{id}"))
            Assert.Equal(HttpStatusCode.Accepted, pending.StatusCode);

        await Eventually.UntilAsync(async () => (await _system.Api.GetAsync($"/download/{id}")).StatusCode,
            status => status == HttpStatusCode.OK, "the job to complete");

        using var download = await _system.Api.GetAsync($"/download/{id}");
        Assert.Equal("application/zip", download.Content.Headers.ContentType?.MediaType);
        using var zip = new ZipArchive(await download.Content.ReadAsStreamAsync());
        var output = zip.GetEntry("output.txt") ?? throw new Xunit.Sdk.XunitException("output.txt missing from the zip");
        using (var reader = new StreamReader(output.Open()))
            Assert.Equal("hello", (await reader.ReadToEndAsync()).Trim());
        Assert.NotNull(zip.GetEntry("run.sh"));
        Assert.NotNull(zip.GetEntry("stdout.log"));
        Assert.NotNull(zip.GetEntry("stderr.log"));

        await Eventually.UntilAsync(async () => (await _system.Api.GetAsync($"/download/{id}")).StatusCode,
            status => status == HttpStatusCode.NoContent, "the results to be cleaned after the retention period");
        var job = await _system.Api.GetFromJsonAsync<JsonElement>($"/jobs/{id}");
        Assert.Equal("Cleaned", job.GetProperty("state").GetString());
        var directory = body.GetProperty("loc").GetString()!;
        Assert.False(Directory.Exists(directory), $"{directory} should have been removed by the Janitor");
        var states = job.GetProperty("transitions").EnumerateArray().Select(t => t.GetProperty("state").GetString()).ToList();
        Assert.Equal(["Submitted", "Queued", "Dispatched", "Running", "Completed", "Cleaned"], states);
    }

    [Fact]
    public async Task A_failing_script_gives_204_and_its_exit_code()
    {
        var upload = await _system.UploadAsync("echo broken >&2\nexit 3\n");
        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        var id = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        var job = await Eventually.UntilAsync(() => _system.Api.GetFromJsonAsync<JsonElement>($"/jobs/{id}"),
            j => j.GetProperty("state").GetString() == "Failed", "the job to fail");
        Assert.Equal(3, job.GetProperty("exit_code").GetInt32());
        Assert.Contains("3", job.GetProperty("error").GetString());
        using var download = await _system.Api.GetAsync($"/download/{id}");
        Assert.Equal(HttpStatusCode.NoContent, download.StatusCode);
    }
}
