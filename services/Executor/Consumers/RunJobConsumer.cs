using MassTransit;
using Microsoft.Extensions.Options;
using Orchestrator.Contracts;
using Orchestrator.Executor.Runs;
using Orchestrator.Platform.Messaging;

namespace Orchestrator.Executor.Consumers;

/// <summary>
/// Accepts a job when a run slot is free, records the run and acknowledges at once: the broker message is never
/// held while the job runs. With no slot free for a while, the job goes to the back of the queue, where another
/// instance may take it.
/// </summary>
/// <remarks>
/// The endpoint takes one message at a time (<c>ConcurrentMessageLimit</c> 1, prefetch 2): a message waiting here for a
/// slot is out of every other instance's reach, so at most one job at a time waits in an instance whose slots are
/// all taken. Taking several at once would only let their acceptances share a round trip, which the reports of the
/// runs in progress already share with them.
/// </remarks>
public sealed class RunJobConsumer(
    RunReporter reporter,
    RunSlots slots,
    IRunner runner,
    IOptions<ExecutorOptions> options,
    ILogger<RunJobConsumer> logger) : IConsumer<RunJob>
{
    public async Task Consume(ConsumeContext<RunJob> context)
    {
        var job = context.Message;
        MessagingTelemetry.TagJob(job.JobId);
        if (!await slots.WaitAsync(options.Value.SlotWaitTimeout, context.CancellationToken))
        {
            logger.LogInformation("No free slot for job {JobId}; returning it to the queue", job.JobId);
            await context.Send(context.ReceiveContext.InputAddress, job);
            return;
        }

        var launched = false;
        try
        {
            var run = NewRun(job);
            // The runs key (job, attempt) is the deduplication: a redelivered or requeued RunJob of an attempt
            // accepted before inserts nothing, whatever its message id, so no inbox entry is needed as well.
            if (await reporter.AcceptedAsync(run))
            {
                runner.Launch(run);
                launched = true;
            }
            else
            {
                logger.LogInformation("Job {JobId} attempt {Attempt} is already accepted; this RunJob is a duplicate and is dropped", job.JobId, job.Attempt);
            }
        }
        finally
        {
            if (!launched)
                slots.Release();
        }
    }

    RunRecord NewRun(RunJob job) => new()
    {
        JobId = job.JobId,
        Attempt = job.Attempt,
        InstanceId = options.Value.ResolvedInstanceId,
        Service = job.Service,
        UserId = job.UserId,
        Directory = job.Directory,
        State = RunStates.Accepted,
        AcceptedAt = DateTimeOffset.UtcNow,
        TimeoutSeconds = job.TimeoutSeconds,
        Environment = job.Environment is { Count: > 0 } ? System.Text.Json.JsonSerializer.Serialize(job.Environment) : null,
    };
}
