using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Orchestrator.Contracts;
using Orchestrator.Executor.Persistence;
using Orchestrator.Executor.Runs;
using Orchestrator.Platform.Messaging;

namespace Orchestrator.Executor.Destinations.Local;

/// <summary>
/// Runs accepted jobs as child processes and reports them. Each report is a row update plus an outbox message in
/// one <c>SaveChanges</c>, so a report is never lost nor made twice, whatever moment the executor dies at. A run is
/// stopped on request or at its time limit by signalling its whole process group.
/// </summary>
public sealed class LocalRunner(
    IServiceScopeFactory scopeFactory,
    OutboxSignal signal,
    RunSlots slots,
    IOptions<ExecutorOptions> options,
    ILogger<LocalRunner> logger)
{
    static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);

    /// <summary>Why a run was stopped (<see cref="RunOutcomes.Cancelled"/> or TimedOut), once someone stopped it.</summary>
    readonly ConcurrentDictionary<(Guid JobId, int Attempt), string> _stopped = new();

    /// <summary>The process of each run in progress, for stops.</summary>
    readonly ConcurrentDictionary<(Guid JobId, int Attempt), (int ProcessId, long? StartTicks)> _processes = new();

    string Instance => options.Value.ResolvedInstanceId;

    /// <summary>Starts an accepted run in the background; the caller's slot is released when the run ends.</summary>
    public void Launch(RunRecord run) => _ = Task.Run(() => RunAsync(run));

    /// <summary>Follows a run started by an earlier life of this instance until it ends.</summary>
    public void Adopt(RunRecord run) => _ = Task.Run(() => FollowAdoptedAsync(run));

    /// <summary>Stops a run of this instance; false when this instance does not run it.</summary>
    public async Task<bool> StopAsync(Guid jobId, int attempt, string outcome)
    {
        var key = (jobId, attempt);
        if (!_processes.TryGetValue(key, out var process))
            return false;
        _stopped.TryAdd(key, outcome);
        logger.LogInformation("Stopping job {JobId} attempt {Attempt} ({Outcome})", jobId, attempt, outcome);
        await ProcessGroup.StopAsync(process.ProcessId, process.StartTicks, StopGrace);
        return true;
    }

    async Task RunAsync(RunRecord run)
    {
        var key = (run.JobId, run.Attempt);
        try
        {
            Process process;
            try
            {
                process = LocalProcessLauncher.Start(run.Directory, run.JobId, Variables(run));
            }
            catch (Exception ex) when (ex is IOException or System.ComponentModel.Win32Exception or InvalidOperationException)
            {
                logger.LogWarning("Job {JobId} could not be started: {Reason}", run.JobId, ex.Message);
                await ReportFinishedAsync(run, RunOutcomes.NotStarted, null, ex.Message);
                return;
            }

            using (process)
            {
                var startTicks = ProcessProbe.StartTicks(process.Id);
                _processes[key] = (process.Id, startTicks);
                await ReportStartedAsync(run, process.Id, startTicks);
                await WaitWithinTimeLimitAsync(run, () => process.WaitForExitAsync(), DateTimeOffset.UtcNow);
                await ReportEndAsync(run, process.ExitCode);
            }
        }
        catch (Exception ex)
        {
            // The run's row stays as it was; the next start of this instance finds it and settles it.
            logger.LogError(ex, "Lost track of job {JobId} attempt {Attempt}", run.JobId, run.Attempt);
        }
        finally
        {
            _processes.TryRemove(key, out _);
            slots.Release();
        }
    }

    async Task FollowAdoptedAsync(RunRecord run)
    {
        var key = (run.JobId, run.Attempt);
        var tookSlot = slots.TryTake();
        try
        {
            _processes[key] = (run.ProcessId!.Value, run.ProcessStartTicks);
            await WaitWithinTimeLimitAsync(run, async () =>
            {
                while (ProcessProbe.IsAlive(run.ProcessId!.Value, run.ProcessStartTicks))
                    await Task.Delay(options.Value.AdoptedRunPollInterval);
            }, run.StartedAt ?? DateTimeOffset.UtcNow);
            await SettleAsync(run);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Lost track of adopted job {JobId} attempt {Attempt}", run.JobId, run.Attempt);
        }
        finally
        {
            _processes.TryRemove(key, out _);
            if (tookSlot)
                slots.Release();
        }
    }

    /// <summary>Waits for the run to end, stopping it when its time limit passes first.</summary>
    async Task WaitWithinTimeLimitAsync(RunRecord run, Func<Task> exited, DateTimeOffset startedAt)
    {
        var ended = exited();
        if (run.TimeoutSeconds is not { } seconds)
        {
            await ended;
            return;
        }

        var remaining = startedAt.AddSeconds(seconds) - DateTimeOffset.UtcNow;
        if (remaining > TimeSpan.Zero && await Task.WhenAny(ended, Task.Delay(remaining)) == ended)
        {
            await ended;
            return;
        }

        await StopAsync(run.JobId, run.Attempt, RunOutcomes.TimedOut);
        await ended;
    }

    /// <summary>Reports a run whose process is gone: by its recorded exit code, or as lost when it left none.</summary>
    public Task SettleAsync(RunRecord run)
    {
        if (_stopped.TryRemove((run.JobId, run.Attempt), out var outcome))
            return ReportFinishedAsync(run, outcome, LocalProcessLauncher.ReadExitCode(run.Directory), StopMessage(outcome, run));
        return LocalProcessLauncher.ReadExitCode(run.Directory) is { } code
            ? ReportFinishedAsync(run, RunOutcomes.Exited, code, null)
            : ReportFinishedAsync(run, RunOutcomes.Lost, null,
                "The job's process ended without recording an exit code while its executor was down.");
    }

    Task ReportEndAsync(RunRecord run, int exitCode) =>
        _stopped.TryRemove((run.JobId, run.Attempt), out var outcome)
            ? ReportFinishedAsync(run, outcome, exitCode, StopMessage(outcome, run))
            : ReportFinishedAsync(run, RunOutcomes.Exited, exitCode, null);

    static string StopMessage(string outcome, RunRecord run) =>
        outcome == RunOutcomes.TimedOut
            ? $"The job ran longer than its limit of {run.TimeoutSeconds} s and was killed."
            : "The job was cancelled and its processes were stopped.";

    static Dictionary<string, string>? Variables(RunRecord run) =>
        run.Environment is null ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(run.Environment);

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
