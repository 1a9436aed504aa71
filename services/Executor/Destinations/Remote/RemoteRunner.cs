using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Orchestrator.Contracts;
using Orchestrator.Executor.Runs;

namespace Orchestrator.Executor.Destinations.Remote;

/// <summary>
/// Drives a run on a remote destination: submit (retried with back-off while the destination is unreachable, then
/// reported not started, which the saga's retry policy handles), poll until the run ends, fetch its results, report.
/// The destination's id is stored as soon as it is known, so a restarted executor re-attaches instead of
/// resubmitting. A destination unreachable while the job runs does not lose it: polling goes on, and the saga's
/// deadline is the last word.
/// </summary>
public sealed class RemoteRunner(
    IRemoteDestination destination,
    RunReporter reporter,
    RunSlots slots,
    IOptions<RemoteRunnerOptions> options,
    ILogger<RemoteRunner> logger) : IRunner
{
    readonly ConcurrentDictionary<(Guid JobId, int Attempt), RunRecord> _runs = new();
    readonly ConcurrentDictionary<(Guid JobId, int Attempt), string> _stopped = new();

    /// <summary>Stopped runs the destination has been told to cancel; the others are told at the next poll.</summary>
    readonly ConcurrentDictionary<(Guid JobId, int Attempt), bool> _cancelSent = new();

    public void Launch(RunRecord run) => _ = Task.Run(() => RunAsync(run, submitted: false));

    public async Task RecoverAsync(RunRecord run)
    {
        if (run.State == RunStates.Abandoned)
        {
            _ = Task.Run(() => CancelAbandonedAsync(run));
            return;
        }

        if (run.ExternalId is null && await FindSubmittedAsync(run) is { } found)
        {
            logger.LogInformation("Job {JobId} attempt {Attempt} was submitted as {ExternalId} before the executor stopped; re-attaching", run.JobId, run.Attempt, found);
            await reporter.ExternalIdAsync(run, found);
        }

        if (run.ExternalId is null)
        {
            await reporter.FinishedAsync(run, RunOutcomes.Lost, null,
                "The executor stopped before it knew whether the destination had accepted the job.");
            return;
        }

        slots.TryTake();
        _ = Task.Run(() => RunAsync(run, submitted: true));
    }

    async Task<string?> FindSubmittedAsync(RunRecord run)
    {
        try
        {
            return await destination.FindSubmittedAsync(run, CancellationToken.None);
        }
        catch (Exception ex)
        {
            logger.LogWarning("Could not ask the destination whether job {JobId} attempt {Attempt} was submitted: {Reason}", run.JobId, run.Attempt, ex.Message);
            return null;
        }
    }

    public async Task<bool> StopAsync(Guid jobId, int attempt, string outcome)
    {
        if (!_runs.TryGetValue((jobId, attempt), out var run))
            return false;
        _stopped.TryAdd((jobId, attempt), outcome);
        await TryCancelAsync(run);
        return true;
    }

    /// <summary>
    /// Tells the destination to cancel a stopped run, once. A run not submitted yet, or a destination unreachable
    /// now, is told at a later poll, so a stop is never lost while the job runs on.
    /// </summary>
    async Task TryCancelAsync(RunRecord run)
    {
        var key = (run.JobId, run.Attempt);
        if (run.ExternalId is null || _cancelSent.ContainsKey(key))
            return;
        try
        {
            await destination.CancelAsync(run, CancellationToken.None);
            _cancelSent[key] = true;
        }
        catch (DestinationUnavailableException ex)
        {
            logger.LogWarning("Cancelling job {JobId} at the destination failed ({Reason}); trying again", run.JobId, ex.Message);
        }
        catch (Exception ex)
        {
            _cancelSent[key] = true;
            logger.LogError(ex, "The destination refused to cancel job {JobId}", run.JobId);
        }
    }

    async Task RunAsync(RunRecord run, bool submitted)
    {
        using var span = Orchestrator.Platform.Messaging.MessagingTelemetry.StartJobSpan("executor run", run.JobId, run.Attempt);
        var key = (run.JobId, run.Attempt);
        _runs[key] = run;
        try
        {
            if (!submitted && !await SubmitAsync(run))
                return;
            // A stop that came while the job was being submitted had no id to cancel by yet.
            if (!submitted && _stopped.ContainsKey(key))
                await destination.CancelAsync(run, CancellationToken.None);
            var status = await FollowAsync(run);
            await FinishAsync(run, status);
        }
        catch (Exception ex)
        {
            // The row stays open; the next start of this instance re-attaches by the stored id.
            logger.LogError(ex, "Lost track of job {JobId} attempt {Attempt}", run.JobId, run.Attempt);
        }
        finally
        {
            _runs.TryRemove(key, out _);
            _stopped.TryRemove(key, out _);
            _cancelSent.TryRemove(key, out _);
            slots.Release();
        }
    }

    /// <summary>
    /// A destination that stopped answering can come back with the run still going (a network partition rather than
    /// a dead machine). The run was reported lost, and the saga may have started it again elsewhere, so it is
    /// cancelled there as soon as the destination answers, for as long as <see cref="RemoteRunnerOptions.AbandonedCancelFor"/>.
    /// </summary>
    async Task CancelAbandonedAsync(RunRecord run)
    {
        var giveUpAt = (run.FinishedAt ?? DateTimeOffset.UtcNow) + options.Value.AbandonedCancelFor;
        while (true)
        {
            try
            {
                await destination.CancelAsync(run, CancellationToken.None);
                logger.LogInformation("Job {JobId} attempt {Attempt}, reported lost, is cancelled at the destination", run.JobId, run.Attempt);
                break;
            }
            catch (Exception ex) when (DateTimeOffset.UtcNow < giveUpAt)
            {
                logger.LogDebug("Job {JobId} attempt {Attempt}, reported lost, not cancelled yet ({Reason})", run.JobId, run.Attempt, ex.Message);
                await Task.Delay(options.Value.PollInterval);
            }
            catch (Exception ex)
            {
                logger.LogWarning("Gave up cancelling job {JobId} attempt {Attempt} at the destination after {Period}: {Reason}",
                    run.JobId, run.Attempt, options.Value.AbandonedCancelFor, ex.Message);
                break;
            }
        }

        await reporter.SettledAsync(run);
    }

    async Task<bool> SubmitAsync(RunRecord run)
    {
        var delay = options.Value.SubmitBackoff;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var id = await destination.SubmitAsync(run, CancellationToken.None);
                await reporter.ExternalIdAsync(run, id);
                return true;
            }
            catch (DestinationUnavailableException ex) when (attempt < options.Value.SubmitAttempts)
            {
                if (_stopped.TryGetValue((run.JobId, run.Attempt), out var stopped))
                {
                    await reporter.FinishedAsync(run, stopped, null, $"The job was stopped before the destination accepted it ({ex.Message}).");
                    return false;
                }

                logger.LogWarning("Submitting job {JobId} failed ({Reason}); try {Try} of {Tries}", run.JobId, ex.Message, attempt, options.Value.SubmitAttempts);
                await Task.Delay(delay);
                delay *= 2;
            }
            catch (Exception ex)
            {
                await reporter.FinishedAsync(run, RunOutcomes.NotStarted, null, $"The destination did not accept the job: {ex.Message}");
                return false;
            }
        }
    }

    async Task<RemoteRunStatus> FollowAsync(RunRecord run)
    {
        while (true)
        {
            RemoteRunStatus status;
            try
            {
                status = await destination.GetStatusAsync(run, CancellationToken.None);
            }
            catch (DestinationUnavailableException ex)
            {
                logger.LogWarning("No status for job {JobId} ({Reason}); asking again", run.JobId, ex.Message);
                await Task.Delay(options.Value.PollInterval);
                continue;
            }

            if (status.State != RemoteRunState.Pending && run.StartedAt is null)
                await reporter.StartedAsync(run);
            if (status.IsFinal)
                return status;
            if (run.TimeoutSeconds is { } limit && run.StartedAt is { } started
                && DateTimeOffset.UtcNow - started > TimeSpan.FromSeconds(limit))
                _stopped.TryAdd((run.JobId, run.Attempt), RunOutcomes.TimedOut);
            if (_stopped.ContainsKey((run.JobId, run.Attempt)))
                await TryCancelAsync(run);
            await Task.Delay(options.Value.PollInterval);
        }
    }

    async Task FinishAsync(RunRecord run, RemoteRunStatus status)
    {
        // A lost run has nothing left to fetch: the destination that held it is gone.
        if (status.State == RemoteRunState.Lost)
        {
            await reporter.AbandonedAsync(run, status.Detail ?? "The destination lost the job.");
            _ = Task.Run(() => CancelAbandonedAsync(run));
            return;
        }

        string? fetchError = null;
        while (true)
        {
            try
            {
                await destination.FetchResultsAsync(run, CancellationToken.None);
                break;
            }
            catch (DestinationUnavailableException ex)
            {
                // The results are still at the destination: giving up now would lose them, so ask again like a poll.
                logger.LogWarning("Results of job {JobId} not fetched ({Reason}); trying again", run.JobId, ex.Message);
                await Task.Delay(options.Value.PollInterval);
            }
            catch (Exception ex)
            {
                fetchError = $"The results could not be fetched from the destination: {ex.Message}";
                break;
            }
        }

        if (_stopped.TryGetValue((run.JobId, run.Attempt), out var stopped))
        {
            await reporter.FinishedAsync(run, stopped, status.ExitCode, stopped == RunOutcomes.TimedOut
                ? $"The job ran longer than its limit of {run.TimeoutSeconds} s and was cancelled at the destination."
                : "The job was cancelled at the destination.");
            return;
        }

        var (outcome, error) = status.State switch
        {
            RemoteRunState.Exited when fetchError is null => (RunOutcomes.Exited, status.ExitCode == 0 ? null : status.Detail),
            RemoteRunState.Exited => (RunOutcomes.Exited, fetchError),
            RemoteRunState.Cancelled => (RunOutcomes.Cancelled, status.Detail ?? "Cancelled at the destination."),
            RemoteRunState.TimedOut => (RunOutcomes.TimedOut, status.Detail ?? "The destination's time limit was exceeded."),
            _ => (RunOutcomes.Exited, status.Detail ?? fetchError ?? "The destination reported the job failed."),
        };
        var exitCode = status.State switch
        {
            // A run the destination failed without an exit code still fails the job, with the destination's reason.
            RemoteRunState.Failed => status.ExitCode ?? -1,
            // A run whose results never arrived did not succeed, whatever its script's exit code.
            RemoteRunState.Exited when fetchError is not null && status.ExitCode is null or 0 => -1,
            _ => status.ExitCode,
        };
        await reporter.FinishedAsync(run, outcome, exitCode ?? (fetchError is null ? null : -1), error);
    }
}
