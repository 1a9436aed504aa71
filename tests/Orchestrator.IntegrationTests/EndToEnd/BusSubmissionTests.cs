using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MassTransit;
using MassTransit.MessageData;
using Microsoft.AspNetCore.Http;
using Orchestrator.Contracts;
using Orchestrator.IntegrationTests.Infrastructure;

namespace Orchestrator.IntegrationTests.EndToEnd;

/// <summary>Another service submits jobs over real RabbitMQ: SubmitJob answered by JobAccepted or JobRejected.</summary>
public sealed class BusSubmissionTests : IAsyncLifetime
{
    readonly ConcurrentQueue<JobStateChanged> _events = new();
    OrchestratorSystem _system = null!;
    TestBus _bus = null!;
    V1TestServer _files = null!;

    public async Task InitializeAsync()
    {
        _files = await V1TestServer.StartAsync((context, _) => context.Request.Path == "/remote.txt"
            ? context.Response.WriteAsync("from a url\n")
            : Task.CompletedTask);
        _system = await OrchestratorSystem.StartAsync();
        // The client's own queue for the job lifecycle events it subscribes to.
        _bus = await TestBus.StartAsync(_system.VirtualHost, cfg =>
            cfg.ReceiveEndpoint($"bus-client-{Guid.NewGuid():N}", e => e.Handler<JobStateChanged>(context =>
            {
                _events.Enqueue(context.Message);
                return Task.CompletedTask;
            })));
    }

    public async Task DisposeAsync()
    {
        await _bus.DisposeAsync();
        await _system.DisposeAsync();
        await _files.DisposeAsync();
    }

    IRequestClient<SubmitJob> Client() => _bus.Bus.CreateRequestClient<SubmitJob>(QueueNames.Address(SubmitJob.Queue), RequestTimeout.After(s: 30));

    [Fact]
    public async Task A_job_sent_as_SubmitJob_with_inline_message_data_and_url_inputs_is_accepted_run_and_followed_by_its_events()
    {
        var repository = new FileSystemMessageDataRepository(new DirectoryInfo(Path.Combine(_system.JobsRoot, ".message-data")));
        var large = await repository.PutBytes(Encoding.UTF8.GetBytes("from message data\n"));
        var clientId = $"bus-{Guid.NewGuid():N}";
        var command = new SubmitJob("generic", 7,
        [
            new SubmitJobFile("run.sh", Content: Encoding.UTF8.GetBytes("cat in/inline.txt in/large.txt in/remote.txt > out.txt\n")),
            new SubmitJobFile("in/inline.txt", Content: Encoding.UTF8.GetBytes("inline\n")),
            new SubmitJobFile("in/large.txt", Data: large),
            new SubmitJobFile("in/remote.txt", Url: new Uri(_files.BaseAddress, "/remote.txt")),
        ], clientId, TimeoutSeconds: 300);

        var response = await Client().GetResponse<JobAccepted, JobRejected>(command);
        Assert.True(response.Is(out Response<JobAccepted>? accepted),
            response.Is(out Response<JobRejected>? rejected) ? $"rejected: {rejected.Message}" : "no answer");
        Assert.True(accepted.Message.Created);
        Assert.Equal(clientId, accepted.Message.Id);
        var jobId = accepted.Message.JobId;

        await Eventually.UntilAsync(() => _events.Any(e => e.JobId == jobId && e.State == JobStates.Completed),
            "the Completed event of the job");
        var states = _events.Where(e => e.JobId == jobId).OrderBy(e => e.Sequence).Select(e => e.State).ToList();
        Assert.Equal([JobStates.Queued, JobStates.Dispatched, JobStates.Running, JobStates.Completed], states.Where(s => s != JobStates.Submitted));
        Assert.Equal("inline\nfrom message data\nfrom a url\n", await _system.Api.GetStringAsync($"/v1/jobs/{clientId}/files/out.txt"));

        var repeat = await Client().GetResponse<JobAccepted, JobRejected>(command);
        Assert.True(repeat.Is(out Response<JobAccepted>? again));
        Assert.False(again.Message.Created);
        Assert.Equal(accepted.Message.JobNumber, again.Message.JobNumber);
    }

    [Fact]
    public async Task An_invalid_or_conflicting_SubmitJob_is_answered_with_JobRejected_and_makes_no_job()
    {
        var unknown = await Client().GetResponse<JobAccepted, JobRejected>(
            new SubmitJob("no-such-service", 1, [new SubmitJobFile("run.sh", Content: [0x74, 0x72, 0x75, 0x65])]));
        Assert.True(unknown.Is(out Response<JobRejected>? rejected));
        Assert.Equal(StatusCodes.Status400BadRequest, rejected.Message.Status);
        Assert.Equal("Unknown service", rejected.Message.Title);

        var climbing = await Client().GetResponse<JobAccepted, JobRejected>(
            new SubmitJob("generic", 1, [new SubmitJobFile("run.sh", Content: [0x74]), new SubmitJobFile("../x", Content: [0x74])]));
        Assert.True(climbing.Is(out Response<JobRejected>? badPath));
        Assert.Equal("Invalid file path", badPath.Message.Title);

        var clientId = $"bus-{Guid.NewGuid():N}";
        var first = await Client().GetResponse<JobAccepted, JobRejected>(
            new SubmitJob("generic", 1, [new SubmitJobFile("run.sh", Content: Encoding.UTF8.GetBytes("true\n"))], clientId));
        Assert.True(first.Is(out Response<JobAccepted>? _));
        var conflict = await Client().GetResponse<JobAccepted, JobRejected>(
            new SubmitJob("generic", 1, [new SubmitJobFile("run.sh", Content: Encoding.UTF8.GetBytes("false\n"))], clientId));
        Assert.True(conflict.Is(out Response<JobRejected>? inUse));
        Assert.Equal(StatusCodes.Status409Conflict, inUse.Message.Status);

        var page = await _system.Api.GetFromJsonAsync<JsonElement>("/v1/jobs");
        Assert.Equal(1, page.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task The_sample_bus_client_submits_a_job_with_message_data_and_follows_it_to_completion()
    {
        var sample = Path.Combine(RepositoryPaths.Root, "deploy", "samples", "BusClient", "bin", RepositoryPaths.Configuration,
            "net10.0", "Orchestrator.Samples.BusClient.dll");
        Assert.True(File.Exists(sample), $"the sample client is not built: {sample}");
        var script = Path.Combine(_system.JobsRoot, "sample-run.sh");
        await File.WriteAllTextAsync(script, "echo from the sample > sample.txt\n");

        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { sample, script, "--vhost", _system.VirtualHost.Name,
                     "--message-data", Path.Combine(_system.JobsRoot, ".message-data"), "--timeout", "120" })
            start.ArgumentList.Add(argument);
        using var client = System.Diagnostics.Process.Start(start)!;
        var output = client.StandardOutput.ReadToEndAsync();
        var errors = client.StandardError.ReadToEndAsync();
        using (var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3)))
            await client.WaitForExitAsync(deadline.Token);

        var printed = await output + await errors;
        Assert.True(client.ExitCode == 0, $"the sample exited with {client.ExitCode}:{Environment.NewLine}{printed}{Environment.NewLine}{_system.Logs}");
        var accepted = printed.Split('\n').Single(line => line.StartsWith("accepted: job ", StringComparison.Ordinal));
        Assert.Contains(": Completed (attempt 1", printed);
        var id = accepted.Split(", id ")[1].Split(',')[0];
        Assert.Equal("from the sample\n", await _system.Api.GetStringAsync($"/v1/jobs/{id}/files/sample.txt"));
    }
}
