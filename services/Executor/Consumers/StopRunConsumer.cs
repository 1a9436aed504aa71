using MassTransit;
using Orchestrator.Contracts;
using Orchestrator.Executor.Runs;
using Orchestrator.Platform.Messaging;

namespace Orchestrator.Executor.Consumers;

/// <summary>
/// Every instance of the destination hears each stop request on a queue of its own; the one running the job stops
/// it and reports the run Cancelled when its processes are gone.
/// </summary>
public sealed class StopRunConsumer(IRunner runner, ILogger<StopRunConsumer> logger) : IConsumer<StopRun>
{
    public async Task Consume(ConsumeContext<StopRun> context)
    {
        var stop = context.Message;
        MessagingTelemetry.TagJob(stop.JobId);
        if (!await runner.StopAsync(stop.JobId, stop.Attempt, RunOutcomes.Cancelled))
            logger.LogDebug("Job {JobId} attempt {Attempt} is not running here", stop.JobId, stop.Attempt);
    }
}
