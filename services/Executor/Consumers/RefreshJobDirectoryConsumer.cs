using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Orchestrator.Contracts;
using Orchestrator.Executor.Destinations.Remote;
using Orchestrator.Executor.Persistence;
using Orchestrator.Executor.Runs;
using Orchestrator.Platform.Messaging;

namespace Orchestrator.Executor.Consumers;

/// <summary>
/// Every instance hears each refresh request on a queue of its own; the one whose run it is copies the job's files
/// from the destination into the job's directory and answers. Others stay silent.
/// </summary>
public sealed class RefreshJobDirectoryConsumer(
    ExecutorDbContext db,
    IServiceProvider services,
    IOptions<ExecutorOptions> options,
    ILogger<RefreshJobDirectoryConsumer> logger) : IConsumer<RefreshJobDirectory>
{
    public async Task Consume(ConsumeContext<RefreshJobDirectory> context)
    {
        var jobId = context.Message.JobId;
        MessagingTelemetry.TagJob(jobId);
        var run = await db.Runs.AsNoTracking()
            .Where(r => r.JobId == jobId && r.InstanceId == options.Value.ResolvedInstanceId)
            .OrderByDescending(r => r.Attempt)
            .FirstOrDefaultAsync(context.CancellationToken);
        if (run is null)
            return;

        // A finished run's files were fetched when it ended (an abandoned one's are out of reach); a local run's
        // directory is the live one.
        if (run.State is RunStates.Finished or RunStates.Abandoned || services.GetService<IPartialResultsSource>() is not { } source)
        {
            await context.RespondAsync(new JobDirectoryRefreshed(jobId, true));
            return;
        }

        if (run.ExternalId is null)
        {
            await context.RespondAsync(new JobDirectoryRefreshed(jobId, false, "The job has not reached its destination yet.", NotAtDestination: true));
            return;
        }

        try
        {
            await source.FetchPartialResultsAsync(run, context.CancellationToken);
            await context.RespondAsync(new JobDirectoryRefreshed(jobId, true));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning("Partial results of job {JobId} could not be fetched: {Reason}", jobId, ex.Message);
            await context.RespondAsync(new JobDirectoryRefreshed(jobId, false, ex.Message));
        }
    }
}
