using Microsoft.Extensions.Options;
using Orchestrator.Contracts;

namespace Orchestrator.Executor.Runs;

/// <summary>
/// Writes a run's progress: each report is a row update plus its outbox message in one transaction, so a report is
/// never lost nor made twice, whatever moment the executor dies at. Reports made at about the same time share their
/// transaction (<see cref="RunWriter"/>); each call returns once its own report committed.
/// </summary>
public sealed class RunReporter(RunWriter writer, IOptions<ExecutorOptions> options, ILogger<RunReporter> logger)
{
    /// <summary>
    /// Records a new run; false when this attempt was accepted before (a redelivered or requeued <c>RunJob</c>), which
    /// must then not run again.
    /// </summary>
    public Task<bool> AcceptedAsync(RunRecord run) => writer.WriteAsync(RunWrite.Accept(run));

    public async Task StartedAsync(RunRecord run, int? processId = null, long? startTicks = null)
    {
        var message = new JobStarted(run.JobId, run.Attempt, options.Value.Destination, options.Value.ResolvedInstanceId, DateTimeOffset.UtcNow);
        if (!await writer.WriteAsync(RunWrite.Start(run, processId, startTicks, message)))
            return;
        run.StartedAt = message.StartedAt;
        // One line per job at Information (its end, with the outcome) is enough to follow it; the start is in the
        // saga's history and the process id in the run's row. A console line costs the executor about as much CPU as
        // the database write of the report.
        if (logger.IsEnabled(LogLevel.Debug))
            logger.LogDebug("Job {JobId} attempt {Attempt} started{Process}", run.JobId, run.Attempt,
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
    public Task SettledAsync(RunRecord run) => writer.WriteAsync(RunWrite.Settle(run));

    async Task EndAsync(RunRecord run, string state, string outcome, int? exitCode, string? error)
    {
        var message = new JobFinished(run.JobId, run.Attempt, outcome, exitCode, error, DateTimeOffset.UtcNow);
        if (!await writer.WriteAsync(RunWrite.End(run, state, message)))
            return;
        run.FinishedAt = message.FinishedAt;
        logger.LogInformation("Job {JobId} attempt {Attempt} finished: {Outcome} {ExitCode} {Error}", run.JobId, run.Attempt, outcome, exitCode, error);
    }

    /// <summary>Remembers the destination's own id of the run, so a restarted executor re-attaches to it.</summary>
    public async Task ExternalIdAsync(RunRecord run, string externalId)
    {
        if (await writer.WriteAsync(RunWrite.SetExternalId(run, externalId)))
            run.ExternalId = externalId;
        else
            logger.LogWarning("Job {JobId} attempt {Attempt} has no run row to record its id {ExternalId} in", run.JobId, run.Attempt, externalId);
    }
}
