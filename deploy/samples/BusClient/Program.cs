// A service that submits a job to the Orchestrator over RabbitMQ and follows it to its end:
//   dotnet run --project deploy/samples/BusClient -- [script] [--vhost /] [--host 127.0.0.1] [--message-data DIR]
// With --message-data (a directory shared with the Api, its Api:MessageDataDirectory) the script travels as
// MassTransit message data instead of inline.
using System.Text;
using MassTransit;
using MassTransit.MessageData;
using Orchestrator.Contracts;
using Orchestrator.Samples.BusClient;

var options = SampleOptions.Parse(args);
var finished = new TaskCompletionSource<JobStateChanged>(TaskCreationOptions.RunContinuationsAsynchronously);
Guid? watched = null;
var early = new List<JobStateChanged>();

var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
{
    cfg.Host(options.Host, options.VirtualHost, h =>
    {
        h.Username(options.Username);
        h.Password(options.Password);
    });
    // A queue of this client's own, bound to the lifecycle events every job publishes.
    cfg.ReceiveEndpoint($"sample-client-{Environment.MachineName.ToLowerInvariant()}", e =>
    {
        e.AutoDelete = true;
        e.Durable = false;
        e.Handler<JobStateChanged>(context =>
        {
            lock (early)
            {
                if (watched is null)
                {
                    early.Add(context.Message);
                    return Task.CompletedTask;
                }
            }

            Follow(context.Message);
            return Task.CompletedTask;
        });
    });
});

void Follow(JobStateChanged change)
{
    if (change.JobId != watched)
        return;
    Console.WriteLine($"job {change.JobNumber}: {change.State} (attempt {change.Attempt}{(change.ExitCode is { } code ? $", exit code {code}" : "")})");
    if (JobStates.IsFinal(change.State))
        finished.TrySetResult(change);
}

await bus.StartAsync();
try
{
    var script = Encoding.UTF8.GetBytes(options.Script);
    var runScript = options.MessageDataDirectory is { } directory
        ? new SubmitJobFile("run.sh", Data: await new FileSystemMessageDataRepository(new DirectoryInfo(directory)).PutBytes(script))
        : new SubmitJobFile("run.sh", Content: script);
    var client = bus.CreateRequestClient<SubmitJob>(QueueNames.Address(SubmitJob.Queue), RequestTimeout.After(s: 30));
    var response = await client.GetResponse<JobAccepted, JobRejected>(
        new SubmitJob("generic", options.UserId, [runScript], ClientJobId: $"sample-{Guid.NewGuid():N}"));

    if (response.Is(out Response<JobRejected>? rejected))
    {
        Console.Error.WriteLine($"rejected ({rejected.Message.Status} {rejected.Message.Title}): {rejected.Message.Detail}");
        return 1;
    }

    response.Is(out Response<JobAccepted>? accepted);
    Console.WriteLine($"accepted: job {accepted!.Message.JobNumber}, id {accepted.Message.Id}, GET /v1/jobs/{accepted.Message.Id}");
    lock (early)
        watched = accepted.Message.JobId;
    foreach (var change in early)
        Follow(change);

    var end = await finished.Task.WaitAsync(options.Timeout);
    return end.State == JobStates.Completed ? 0 : 2;
}
catch (TimeoutException)
{
    Console.Error.WriteLine($"no final state within {options.Timeout}");
    return 3;
}
finally
{
    await bus.StopAsync();
}
