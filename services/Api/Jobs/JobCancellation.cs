using Microsoft.EntityFrameworkCore;
using Orchestrator.Api.Persistence;
using Orchestrator.Contracts;
using Orchestrator.Platform.Messaging;

namespace Orchestrator.Api.Jobs;

/// <summary>Asks the scheduler to cancel a job: records the request and its <see cref="CancelJob"/> together.</summary>
public sealed class JobCancellation(ApiDbContext db, ILogger<JobCancellation> logger)
{
    /// <summary>Sends <see cref="CancelJob"/> unless the job has already ended; returns the job as it now stands.</summary>
    public async Task<JobRecord> RequestAsync(long number, string reason, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var job = await db.Jobs.SingleAsync(j => j.Number == number, cancellationToken);
        if (JobStates.IsFinal(job.State))
            return job;

        // Each request is sent: the saga ignores a repeat, and a lost race with the job's end is harmless.
        job.CancelRequestedAt ??= DateTimeOffset.UtcNow;
        db.AddOutboxSend(QueueNames.Address(QueueNames.JobLifecycle), new CancelJob(job.JobId, reason), job.JobId);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Cancellation of job {JobNumber} ({JobId}) requested: {Reason}", job.Number, job.JobId, reason);
        return job;
    }
}
