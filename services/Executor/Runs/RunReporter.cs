using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Orchestrator.Contracts;
using Orchestrator.Executor.Persistence;
using Orchestrator.Platform.Messaging;
using Orchestrator.Platform.Persistence;

namespace Orchestrator.Executor.Runs;

/// <summary>
/// Writes a run's progress: each report is a row update plus an outbox message in one <c>SaveChanges</c>, so a report
/// is never lost nor made twice, whatever moment the executor dies at.
/// </summary>
public sealed class RunReporter(
    IServiceScopeFactory scopeFactory,
    OutboxSignal signal,
    IOptions<ExecutorOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<RunReporter> logger)
{
    static readonly TimeSpan LongestRetryDelay = TimeSpan.FromSeconds(10);

    public async Task StartedAsync(RunRecord run, int? processId = null, long? startTicks = null)
    {
        await UpdateAsync(run, (db, row) =>
        {
            if (row.State != RunStates.Accepted)
                return false;
            row.State = RunStates.Running;
            row.ProcessId = processId;
            row.ProcessStartTicks = startTicks;
            row.StartedAt = DateTimeOffset.UtcNow;
            run.StartedAt = row.StartedAt;
            db.AddOutboxPublish(new JobStarted(run.JobId, run.Attempt, options.Value.Destination,
                options.Value.ResolvedInstanceId, row.StartedAt.Value), run.JobId);
            return true;
        });
        logger.LogInformation("Job {JobId} attempt {Attempt} started{Process}", run.JobId, run.Attempt,
            processId is null ? "" : $" as process {processId}");
    }

    public Task FinishedAsync(RunRecord run, string outcome, int? exitCode, string? error) =>
        EndAsync(run, RunStates.Finished, outcome, exitCode, error);

    /// <summary>
    /// Reports the run lost, and leaves it <see cref="RunStates.Abandoned"/>: the destination may still hold it, so
    /// this executor, or its next start, goes on cancelling it there.
    /// </summary>
    public Task AbandonedAsync(RunRecord run, string error) =>
        EndAsync(run, RunStates.Abandoned, RunOutcomes.Lost, null, error);

    /// <summary>An abandoned run the destination no longer runs: nothing is left to do for it.</summary>
    public Task SettledAsync(RunRecord run) =>
        UpdateAsync(run, (_, row) =>
        {
            if (row.State != RunStates.Abandoned)
                return false;
            row.State = RunStates.Finished;
            return true;
        });

    async Task EndAsync(RunRecord run, string state, string outcome, int? exitCode, string? error)
    {
        var reported = await UpdateAsync(run, (db, row) =>
        {
            if (row.State is RunStates.Finished or RunStates.Abandoned)
                return false;
            row.State = state;
            row.ExitCode = exitCode;
            row.FinishedAt = DateTimeOffset.UtcNow;
            run.FinishedAt = row.FinishedAt;
            db.AddOutboxPublish(new JobFinished(run.JobId, run.Attempt, outcome, exitCode, error, row.FinishedAt.Value), run.JobId);
            return true;
        });
        if (reported)
            logger.LogInformation("Job {JobId} attempt {Attempt} finished: {Outcome} {ExitCode} {Error}", run.JobId, run.Attempt, outcome, exitCode, error);
    }

    /// <summary>Remembers the destination's own id of the run, so a restarted executor re-attaches to it.</summary>
    public Task ExternalIdAsync(RunRecord run, string externalId) =>
        UpdateAsync(run, (_, row) =>
        {
            row.ExternalId = externalId;
            run.ExternalId = externalId;
            return true;
        });

    /// <summary>
    /// A run's report must not be dropped because PostgreSQL is restarting: the run is over (or started) whether or
    /// not it is written down, so the write is tried again until the database is back. Reports are idempotent (each
    /// checks the row's state), so a write that did commit before its connection broke changes nothing the second
    /// time. At shutdown it gives up; the next start of this instance recovers the run from its row.
    /// </summary>
    async Task<bool> UpdateAsync(RunRecord run, Func<ExecutorDbContext, RunRecord, bool> change)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryUpdateAsync(run, change);
            }
            catch (Exception ex) when (DatabaseFailures.IsUnavailable(ex) && !lifetime.ApplicationStopping.IsCancellationRequested)
            {
                logger.LogWarning("Report of job {JobId} attempt {Attempt} not written (database unavailable, try {Try}: {Reason}); trying again in {Delay}",
                    run.JobId, run.Attempt, attempt, ex.GetBaseException().Message, delay);
                await Task.Delay(delay, lifetime.ApplicationStopping).ContinueWith(_ => { }, TaskScheduler.Default);
                delay = delay * 2 < LongestRetryDelay ? delay * 2 : LongestRetryDelay;
            }
        }
    }

    async Task<bool> TryUpdateAsync(RunRecord run, Func<ExecutorDbContext, RunRecord, bool> change)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ExecutorDbContext>();
        var row = await db.Runs.SingleAsync(r => r.JobId == run.JobId && r.Attempt == run.Attempt);
        if (!change(db, row))
            return false;
        await db.SaveChangesAsync();
        signal.Notify();
        return true;
    }
}
