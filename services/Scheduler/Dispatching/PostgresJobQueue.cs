using MassTransit;
using Microsoft.EntityFrameworkCore;
using Orchestrator.Platform.Persistence;
using Orchestrator.Scheduler.Persistence;
using Orchestrator.Scheduler.StateMachines;

namespace Orchestrator.Scheduler.Dispatching;

/// <summary>
/// The job queue in the scheduler's tables; changes wake the dispatcher by NOTIFY, delivered on commit. Enqueueing
/// only inserts the job: no per-user counter is kept, because every submission of one user would then queue up
/// behind one row lock (which capped intake at about 75 jobs/s). The dispatcher finds waiting users from the queue's
/// index instead.
/// </summary>
public sealed class PostgresJobQueue : IJobQueue
{
    public const string Channel = "orchestrator_dispatch";

    public Task EnqueueAsync(PipeContext context, JobLifecycleSaga job)
    {
        var db = Db(context);
        db.QueuedJobs.Add(new QueuedJob
        {
            JobId = job.CorrelationId,
            JobNumber = job.JobNumber,
            Service = job.Service,
            UserId = job.UserId,
            Destination = job.Destination!,
            Directory = job.Directory,
            Attempt = job.Attempt,
            TimeoutSeconds = job.TimeoutSeconds,
            Environment = job.Environment,
            EnqueuedAt = DateTimeOffset.UtcNow,
            TraceParent = System.Diagnostics.Activity.Current?.Id,
        });
        return NotifyAsync(context, db);
    }

    public async Task<bool> WithdrawAsync(PipeContext context, Guid jobId)
    {
        var db = Db(context);
        return await db.QueuedJobs.Where(q => q.JobId == jobId).ExecuteDeleteAsync() > 0;
    }

    public async Task ReleaseAsync(PipeContext context, Guid jobId)
    {
        var db = Db(context);
        // A batch of finished jobs gives back all its slots in one statement; nothing reads whether a slot was held.
        if (context.TryGetPayload(out DeferredStatements? deferred))
        {
            deferred.AddId(ReleaseSql, jobId);
            deferred.Once(NotifySql);
        }
        else if (await db.ActiveJobs.Where(a => a.JobId == jobId).ExecuteDeleteAsync() > 0)
        {
            await NotifyAsync(context, db);
        }
    }

    static SchedulerDbContext Db(PipeContext context) =>
        context.TryGetPayload(out DbContext? db) && db is SchedulerDbContext scheduler
            ? scheduler
            : throw new InvalidOperationException("The job queue must be used inside the scheduler's saga transaction.");

    const string NotifySql = "NOTIFY " + Channel;

    const string ReleaseSql = "DELETE FROM scheduler.active_jobs WHERE job_id = ANY(@ids)";

    static Task NotifyAsync(PipeContext context, SchedulerDbContext db)
    {
        if (!context.TryGetPayload(out DeferredStatements? deferred))
            return db.Database.ExecuteSqlRawAsync(NotifySql);
        deferred.Once(NotifySql);
        return Task.CompletedTask;
    }
}
