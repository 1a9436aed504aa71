using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Orchestrator.IntegrationTests.EndToEnd;
using Orchestrator.IntegrationTests.Infrastructure;

namespace Orchestrator.IntegrationTests.Observability;

/// <summary>
/// The four services export their spans by OTLP/HTTP to a receiver of the test's own, as they would to Jaeger or a
/// collector: one job must come back as one trace crossing every service, through the outboxes and the durable
/// scheduler, each service's spans naming the job.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class JobTraceTests : IAsyncLifetime
{
    const string JobIdAttribute = "orchestrator.job_id";

    static readonly string[] ServiceNames =
        ["orchestrator-api", "orchestrator-scheduler", "orchestrator-executor", "orchestrator-janitor"];

    OtlpReceiver _receiver = null!;
    OrchestratorSystem _system = null!;

    public async Task InitializeAsync()
    {
        _receiver = await OtlpReceiver.StartAsync();
        var settings = new Dictionary<string, string>(_receiver.ExporterSettings)
        {
            // The janitor's cleanup is the last span of a job's trace; a short retention brings it within the test.
            ["Orchestrator__Retention"] = "00:00:02",
        };
        _system = await OrchestratorSystem.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        await _system.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task One_submission_is_one_trace_across_api_scheduler_executor_and_janitor_with_the_job_id_on_each()
    {
        var upload = await _system.UploadAsync("echo traced > output.txt\n");
        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        var number = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        var job = await Eventually.UntilAsync(() => _system.Api.GetFromJsonAsync<JsonElement>($"/jobs/{number}"),
            j => j.GetProperty("state").GetString() == "Cleaned", "the job to run and be cleaned");
        var jobId = job.GetProperty("job_id").GetGuid().ToString();

        // Spans arrive in batches after they end; wait until every service has reported one that names the job.
        List<ReceivedSpan> jobSpans;
        try
        {
            jobSpans = await Eventually.UntilAsync(
                () => Task.FromResult(_receiver.Spans.Where(s => s.Attribute(JobIdAttribute) == jobId).ToList()),
                spans => ServiceNames.All(service => spans.Any(s => s.ServiceName == service)),
                $"spans naming job {jobId} from every service");
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}; received {Describe()}", ex);
        }

        var traceIds = jobSpans.Select(s => s.TraceId).Distinct().ToList();
        Assert.True(traceIds.Count == 1,
            $"The job's spans belong to {traceIds.Count} traces instead of one:{Environment.NewLine}{string.Join(Environment.NewLine, jobSpans)}");

        var trace = _receiver.Spans.Where(s => s.TraceId == traceIds[0]).ToList();
        foreach (var service in ServiceNames)
            Assert.Contains(trace, s => s.ServiceName == service && s.Attribute(JobIdAttribute) == jobId);
        Assert.All(trace, s => Assert.False(string.IsNullOrEmpty(s.ServiceVersion), $"{s} has no service.version"));

        // The trace starts at the Api's upload request: the only span in it without a parent.
        var root = Assert.Single(trace, s => s.ParentSpanId is null);
        Assert.Equal("orchestrator-api", root.ServiceName);
        Assert.Equal(jobId, root.Attribute(JobIdAttribute));
        Assert.Contains(trace, s => s.ServiceName == "orchestrator-executor" && s.Name == "executor run");

        // Logs name the trace and the job (in its hyphenated form) although the message itself only names the job's
        // number and directory.
        var removal = _system["Janitor"].Output.Split(Environment.NewLine).FirstOrDefault(l => l.Contains("Removed the results of job"));
        Assert.NotNull(removal);
        Assert.Contains(traceIds[0], removal);
        Assert.Contains(jobId, removal);
    }

    string Describe() =>
        $"{_receiver.Spans.Count} spans{Environment.NewLine}{string.Join(Environment.NewLine, _receiver.Spans)}"
        + (_receiver.Errors.Count > 0 ? $"{Environment.NewLine}decode errors: {string.Join("; ", _receiver.Errors)}" : "");
}
