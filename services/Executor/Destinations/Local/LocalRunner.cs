using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Orchestrator.Contracts;
using Orchestrator.Executor.Runs;
using Orchestrator.Platform.Configuration;
using Orchestrator.Platform.Processes;

namespace Orchestrator.Executor.Destinations.Local;

/// <summary>
/// The <c>local</c> destination: runs accepted jobs as child processes in sessions of their own, which outlive the
/// executor, so a restarted executor follows them to their end. A run is stopped on request or at its time limit by
/// signalling its whole process group.
/// </summary>
public sealed class LocalRunner(
    RunReporter reporter,
    RunSlots slots,
    IOptions<ExecutorOptions> options,
    IOptions<OrchestratorOptions> orchestrator,
    ILogger<LocalRunner> logger) : IRunner
{
    static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);

    /// <summary>Why a run was stopped (<see cref="RunOutcomes.Cancelled"/> or TimedOut), once someone stopped it.</summary>
    readonly ConcurrentDictionary<(Guid JobId, int Attempt), string> _stopped = new();

    /// <summary>The process of each run in progress, for stops.</summary>
    readonly ConcurrentDictionary<(Guid JobId, int Attempt), (int ProcessId, long? StartTicks)> _processes = new();

    /// <summary>Starts an accepted run in the background; the caller's slot is released when the run ends.</summary>
    public void Launch(RunRecord run) => _ = Task.Run(() => RunAsync(run));

    /// <summary>
    /// A process still alive is followed to its end; one that ended is reported by its recorded exit code; one that
    /// never started or left no exit code is reported lost.
    /// </summary>
    public Task RecoverAsync(RunRecord run)
    {
        if (run.ProcessId is { } pid && ProcessProbe.IsAlive(pid, run.ProcessStartTicks))
        {
            logger.LogInformation("Following job {JobId} attempt {Attempt}, still running as process {ProcessId}", run.JobId, run.Attempt, pid);
            _ = Task.Run(() => FollowAdoptedAsync(run));
            return Task.CompletedTask;
        }

        logger.LogWarning("Settling job {JobId} attempt {Attempt}, whose process ended while this executor was down", run.JobId, run.Attempt);
        return SettleAsync(run);
    }

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
        // The run outlives the RunJob message it came with; its span, in the same trace, covers the process's life.
        using var span = Orchestrator.Platform.Messaging.MessagingTelemetry.StartJobSpan("executor run", run.JobId, run.Attempt);
        var key = (run.JobId, run.Attempt);
        try
        {
            RunProcess process;
            try
            {
                process = LocalProcessLauncher.Start(run.Directory, run.JobId, Variables(run), Resources(run));
            }
            catch (Exception ex) when (ex is IOException or System.ComponentModel.Win32Exception or InvalidOperationException)
            {
                logger.LogWarning("Job {JobId} could not be started: {Reason}", run.JobId, ex.Message);
                await reporter.FinishedAsync(run, RunOutcomes.NotStarted, null, ex.Message);
                return;
            }

            _processes[key] = (process.Id, process.StartTicks);
            await reporter.StartedAsync(run, process.Id, process.StartTicks);
            await WaitWithinTimeLimitAsync(run, () => process.Exited, DateTimeOffset.UtcNow);
            await ReportEndAsync(run, await process.Exited);
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
        using var span = Orchestrator.Platform.Messaging.MessagingTelemetry.StartJobSpan("executor follow adopted run", run.JobId, run.Attempt);
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
    Task SettleAsync(RunRecord run)
    {
        if (_stopped.TryRemove((run.JobId, run.Attempt), out var outcome))
            return reporter.FinishedAsync(run, outcome, LocalProcessLauncher.ReadExitCode(run.Directory), StopMessage(outcome, run));
        return LocalProcessLauncher.ReadExitCode(run.Directory) is { } code
            ? reporter.FinishedAsync(run, RunOutcomes.Exited, code, LocalProcessLauncher.LimitExceeded(code, Resources(run)))
            : reporter.FinishedAsync(run, RunOutcomes.Lost, null,
                "The job's process ended without recording an exit code while its executor was down.");
    }

    /// <summary>
    /// Reports a run this instance followed to its end. It has no exit code only when something else reaped its
    /// wrapper (see <see cref="RunProcess.Exited"/>) after a signal ended it, so that it recorded none.
    /// </summary>
    Task ReportEndAsync(RunRecord run, int? exitCode)
    {
        if (_stopped.TryRemove((run.JobId, run.Attempt), out var outcome))
            return reporter.FinishedAsync(run, outcome, exitCode, StopMessage(outcome, run));
        return exitCode is { } code
            ? reporter.FinishedAsync(run, RunOutcomes.Exited, code, LocalProcessLauncher.LimitExceeded(code, Resources(run)))
            : reporter.FinishedAsync(run, RunOutcomes.Lost, null, "The job's process ended without recording an exit code.");
    }

    /// <summary>The limits of the run's service; none for a service no longer configured.</summary>
    ResourceOptions? Resources(RunRecord run) =>
        orchestrator.Value.Services.TryGetValue(run.Service, out var service) ? service.Resources : null;

    static string StopMessage(string outcome, RunRecord run) =>
        outcome == RunOutcomes.TimedOut
            ? $"The job ran longer than its limit of {run.TimeoutSeconds} s and was killed."
            : "The job was cancelled and its processes were stopped.";

    static Dictionary<string, string>? Variables(RunRecord run) =>
        run.Environment is null ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(run.Environment);
}
