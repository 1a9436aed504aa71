using Microsoft.EntityFrameworkCore;
using Orchestrator.Api.Callbacks;
using Orchestrator.Api.Jobs;
using Orchestrator.Api.Persistence;
using Orchestrator.Contracts;
using Orchestrator.Platform.Hosting;
using Orchestrator.Platform.Messaging;

namespace Orchestrator.Api.Consumers;

/// <summary>Keeps <c>api.jobs</c> and its attempts in step with the scheduler. Every transition's time is kept; the
/// state itself only moves forward, so a late or repeated event cannot undo a newer one.</summary>
public sealed class JobStateChangedConsumer(ApiDbContext db, OutboxSignal signal, OrchestratorMetrics metrics)
    : TransactionalConsumer<ApiDbContext, JobStateChanged>(db, signal)
{
    protected override async Task Handle(TransactionalConsumeContext<JobStateChanged> context)
    {
        var change = context.Message;
        MessagingTelemetry.TagJob(change.JobId);
        // Changes of one job are applied one at a time, so the sequence check and what follows from it cannot race.
        var job = await Db.Jobs
            .FromSql($"SELECT * FROM api.jobs WHERE job_id = {change.JobId} FOR UPDATE")
            .SingleOrDefaultAsync(context.CancellationToken);
        if (job is null)
            return;

        job.Stamp(change.State, change.ChangedAt);
        Measure(job, change);
        await JobAttempts.ApplyAsync(Db, job, change, context.CancellationToken);
        if (change.Sequence <= job.Sequence)
            return;
        job.Sequence = change.Sequence;
        job.State = change.State;
        job.Destination = change.Destination ?? job.Destination;
        job.ExitCode = change.ExitCode ?? job.ExitCode;
        job.Error = change.Error ?? job.Error;
        CallbackEventWriter.Enqueue(Db, job, change);
    }

    /// <summary>Each change is seen once here (the inbox drops repeats), which makes it the place to count jobs.</summary>
    void Measure(JobRecord job, JobStateChanged change)
    {
        switch (change.State)
        {
            case JobStates.Dispatched:
                metrics.QueueWait(job.Service, change.ChangedAt - job.SubmittedAt);
                break;
            case JobStates.Completed or JobStates.Failed or JobStates.Cancelled or JobStates.TimedOut:
                // A final change need not repeat the destination the dispatch named.
                metrics.Finished(job.Service, change.Destination ?? job.Destination, change.State);
                if (job.RunningAt is { } started)
                    metrics.RunTime(job.Service, change.Destination ?? job.Destination, change.ChangedAt - started);
                break;
        }
    }
}
