using MassTransit;
using Microsoft.EntityFrameworkCore;
using Orchestrator.Scheduler.Persistence;
using Orchestrator.Scheduler.StateMachines;

namespace Orchestrator.Scheduler.Dispatching;

/// <summary>The job queue in the scheduler's tables; changes wake the dispatcher by NOTIFY, delivered on commit.</summary>
public sealed class PostgresJobQueue : IJobQueue
{
    public const string Channel = "orchestrator_dispatch";

    public async Task EnqueueAsync(PipeContext context, JobLifecycleSaga job)
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
        await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO scheduler.user_queues (service, user_id, queued, last_dispatched_at)
            VALUES ({job.Service}, {job.UserId}, 1, {DateTimeOffset.UnixEpoch})
            ON CONFLICT (service, user_id) DO UPDATE SET queued = user_queues.queued + 1
            """);
        await NotifyAsync(db);
    }

    public async Task<bool> WithdrawAsync(PipeContext context, Guid jobId)
    {
        var db = Db(context);
        var withdrawn = await db.QueuedJobs.Where(q => q.JobId == jobId).ToListAsync();
        foreach (var queued in withdrawn)
        {
            db.QueuedJobs.Remove(queued);
            await db.Database.ExecuteSqlAsync(
                $"UPDATE scheduler.user_queues SET queued = queued - 1 WHERE service = {queued.Service} AND user_id = {queued.UserId}");
        }

        return withdrawn.Count > 0;
    }

    public async Task ReleaseAsync(PipeContext context, Guid jobId)
    {
        var db = Db(context);
        if (await db.ActiveJobs.Where(a => a.JobId == jobId).ExecuteDeleteAsync() > 0)
            await NotifyAsync(db);
    }

    static SchedulerDbContext Db(PipeContext context) =>
        context.TryGetPayload(out DbContext? db) && db is SchedulerDbContext scheduler
            ? scheduler
            : throw new InvalidOperationException("The job queue must be used inside the scheduler's saga transaction.");

    const string NotifySql = "NOTIFY " + Channel;

    static Task NotifyAsync(SchedulerDbContext db) => db.Database.ExecuteSqlRawAsync(NotifySql);
}
