using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Orchestrator.Contracts;
using Orchestrator.Executor.Persistence;
using Orchestrator.Executor.Runs;
using Orchestrator.Platform.Messaging;

namespace Orchestrator.Executor.Destinations.Local;

/// <summary>
/// Runs accepted jobs as child processes and reports them. Each report is a row update plus an outbox message in
/// one <c>SaveChanges</c>, so a report is never lost nor made twice, whatever moment the executor dies at.
/// </summary>
public sealed class LocalRunner(
    IServiceScopeFactory scopeFactory,
    OutboxSignal signal,
    RunSlots slots,
    IOptions<ExecutorOptions> options,
    ILogger<LocalRunner> logger)
{
    string Instance => options.Value.ResolvedInstanceId;

    /// <summary>Starts an accepted run in the background; the caller's slot is released when the run ends.</summary>
    public void Launch(RunRecord run) => _ = Task.Run(() => RunAsync(run));

    /// <summary>Follows a run started by an earlier life of this instance until it ends.</summary>
    public void Adopt(RunRecord run) => _ = Task.Run(() => FollowAdoptedAsync(run));

    async Task RunAsync(RunRecord run)
    {
        try
        {
            Process process;
            try
            {
                process = LocalProcessLauncher.Start(run.Directory, run.JobId);
            }
            catch (Exception ex) when (ex is IOException or System.ComponentModel.Win32Exception or InvalidOperationException)
            {
                logger.LogWarning("Job {JobId} could not be started: {Reason}", run.JobId, ex.Message);
                await ReportFinishedAsync(run, RunOutcomes.NotStarted, null, ex.Message);
                return;
            }

            using (process)
            {
                await ReportStartedAsync(run, process.Id, ProcessProbe.StartTicks(process.Id));
                await process.WaitForExitAsync();
                await ReportFinishedAsync(run, RunOutcomes.Exited, process.ExitCode, null);
            }
        }
        catch (Exception ex)
        {
            // The run's row stays as it was; the next start of this instance finds it and settles it.
            logger.LogError(ex, "Lost track of job {JobId} attempt {Attempt}", run.JobId, run.Attempt);
        }
        finally
        {
            slots.Release();
        }
    }

    async Task FollowAdoptedAsync(RunRecord run)
    {
        var tookSlot = slots.TryTake();
        try
        {
            while (ProcessProbe.IsAlive(run.ProcessId!.Value, run.ProcessStartTicks))
                await Task.Delay(options.Value.AdoptedRunPollInterval);
            await SettleAsync(run);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Lost track of adopted job {JobId} attempt {Attempt}", run.JobId, run.Attempt);
        }
        finally
        {
            if (tookSlot)
                slots.Release();
        }
    }

    /// <summary>Reports a run whose process is gone: by its recorded exit code, or as lost when it left none.</summary>
    public Task SettleAsync(RunRecord run) =>
        LocalProcessLauncher.ReadExitCode(run.Directory) is { } code
            ? ReportFinishedAsync(run, RunOutcomes.Exited, code, null)
            : ReportFinishedAsync(run, RunOutcomes.Lost, null,
                "The job's process ended without recording an exit code while its executor was down; it was not run again because its script may have had side effects.");

    async Task ReportStartedAsync(RunRecord run, int processId, long? startTicks)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ExecutorDbContext>();
        var row = await db.Runs.SingleAsync(r => r.JobId == run.JobId && r.Attempt == run.Attempt);
        row.State = RunStates.Running;
        row.ProcessId = processId;
        row.ProcessStartTicks = startTicks;
        row.StartedAt = DateTimeOffset.UtcNow;
        db.AddOutboxPublish(new JobStarted(run.JobId, run.Attempt, options.Value.Destination, Instance, row.StartedAt.Value), run.JobId);
        await db.SaveChangesAsync();
        signal.Notify();
        logger.LogInformation("Job {JobId} attempt {Attempt} started as process {ProcessId}", run.JobId, run.Attempt, processId);
    }

    async Task ReportFinishedAsync(RunRecord run, string outcome, int? exitCode, string? error)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ExecutorDbContext>();
        var row = await db.Runs.SingleAsync(r => r.JobId == run.JobId && r.Attempt == run.Attempt);
        if (row.State == RunStates.Finished)
            return;
        row.State = RunStates.Finished;
        row.ExitCode = exitCode;
        row.FinishedAt = DateTimeOffset.UtcNow;
        db.AddOutboxPublish(new JobFinished(run.JobId, run.Attempt, outcome, exitCode, error, row.FinishedAt.Value), run.JobId);
        await db.SaveChangesAsync();
        signal.Notify();
        logger.LogInformation("Job {JobId} attempt {Attempt} finished: {Outcome} {ExitCode}", run.JobId, run.Attempt, outcome, exitCode);
    }
}
