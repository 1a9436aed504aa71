using System.Data;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Orchestrator.Api.Callbacks;
using Orchestrator.Api.Jobs;
using Orchestrator.Api.Persistence;
using Orchestrator.Contracts;
using Orchestrator.Platform.Hosting;
using Orchestrator.Platform.Messaging;

namespace Orchestrator.Api.Consumers;

/// <summary>
/// Keeps <c>api.jobs</c> and its attempts in step with the scheduler. Every transition's time is kept; the state itself
/// only moves forward, so a late or repeated event cannot undo a newer one. Changes arrive in batches and each batch is
/// one transaction: four changes per job, each with its own transaction, row lock and inbox entry, made this the Api's
/// largest cost under load. The rows are read once, changed in memory and written back by two statements for the
/// whole batch (<see cref="JobStateWriter"/>), not tracked by EF Core.
/// </summary>
public sealed class JobStateChangedConsumer(ApiDbContext db, OrchestratorMetrics metrics) : IConsumer<Batch<JobStateChanged>>
{
    public const int BatchSize = 100;

    public async Task Consume(ConsumeContext<Batch<JobStateChanged>> context)
    {
        var cancellationToken = context.CancellationToken;
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        var fresh = await db.RegisterAllAsync(context.Message.Select(m => m.MessageId), nameof(JobStateChangedConsumer), cancellationToken);
        var changes = context.Message
            .Where(m => m.MessageId is not { } id || fresh.Contains(id))
            .Select(m => m.Message)
            .ToList();
        if (changes.Count > 0)
        {
            // Locked in one order, so two batches (or a cancellation) touching the same jobs cannot deadlock. The
            // locks also stand for the jobs' attempts, which only this consumer writes.
            var jobIds = changes.Select(c => c.JobId).Distinct().ToArray();
            var select = $"SELECT {db.ColumnsOf<JobRecord>()} FROM {db.TableOf<JobRecord>()} WHERE job_id = ANY({{0}}) ORDER BY number FOR UPDATE";
            var jobs = await db.Jobs
                .FromSqlRaw(select, jobIds)
                .AsNoTracking()
                .ToDictionaryAsync(j => j.JobId, cancellationToken);
            var numbers = changes.Where(JobAttempts.Concerns)
                .Select(c => jobs.GetValueOrDefault(c.JobId)?.Number).OfType<long>().Distinct().ToArray();
            var attempts = numbers.Length == 0
                ? []
                : await db.Attempts.AsNoTracking()
                    .Where(a => numbers.Contains(a.JobNumber))
                    .ToDictionaryAsync(a => (a.JobNumber, a.Attempt), cancellationToken);

            var changedJobs = new HashSet<JobRecord>();
            var changedAttempts = new HashSet<JobAttempt>();
            foreach (var change in changes)
            {
                if (!jobs.TryGetValue(change.JobId, out var job))
                    continue;
                Apply(job, change);
                changedJobs.Add(job);
                if (JobAttempts.Apply(attempts, job, change) is { } attempt)
                    changedAttempts.Add(attempt);
            }

            await JobStateWriter.WriteAsync(db, changedJobs, changedAttempts, cancellationToken);
            // Only the callback deliveries of the batch, if any, are tracked.
            if (db.ChangeTracker.HasChanges())
                await db.SaveChangesAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    void Apply(JobRecord job, JobStateChanged change)
    {
        job.Stamp(change.State, change.ChangedAt);
        Measure(job, change);
        if (change.Sequence <= job.Sequence)
            return;
        job.Sequence = change.Sequence;
        job.State = change.State;
        job.Destination = change.Destination ?? job.Destination;
        job.ExitCode = change.ExitCode ?? job.ExitCode;
        job.Error = change.Error ?? job.Error;
        CallbackEventWriter.Enqueue(db, job, change);
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
