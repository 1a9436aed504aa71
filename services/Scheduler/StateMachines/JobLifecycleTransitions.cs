using Orchestrator.Contracts;
using Orchestrator.Platform.Configuration;

namespace Orchestrator.Scheduler.StateMachines;

/// <summary>The state changes of a <see cref="JobLifecycleSaga"/>, kept apart from the wiring of the state machine.</summary>
public static class JobLifecycleTransitions
{
    public static void Accept(this JobLifecycleSaga saga, JobSubmitted message, OrchestratorOptions settings)
    {
        if (settings.Services.TryGetValue(message.Service, out var service))
            saga.TimeoutSeconds = (int)Math.Ceiling(service.EffectiveTimeout(message.TimeoutSeconds).TotalSeconds);
        saga.Environment = message.Environment is { Count: > 0 } ? System.Text.Json.JsonSerializer.Serialize(message.Environment) : null;
        saga.JobNumber = message.JobNumber;
        saga.UserId = message.UserId;
        saga.Service = message.Service;
        saga.Directory = message.Directory;
        saga.SubmittedAt = message.SubmittedAt;
    }

    /// <summary>Picks the service's destination; false (with the reason in Error) when there is none.</summary>
    public static bool RouteTo(this JobLifecycleSaga saga, OrchestratorOptions settings)
    {
        if (settings.Services.TryGetValue(saga.Service, out var service)
            && settings.Destinations.ContainsKey(service.Destination))
        {
            saga.Destination = service.Destination;
            return true;
        }

        saga.Error = $"Service '{saga.Service}' is not configured with a destination.";
        return false;
    }

    public static void Dispatch(this JobLifecycleSaga saga, JobDispatched message)
    {
        saga.Destination = message.Destination;
        saga.DispatchedAt = message.DispatchedAt;
    }

    /// <summary>Decides what a run's end means: done, retry, or one of the final failures.</summary>
    public static RunVerdict Verdict(this JobLifecycleSaga saga, JobFinished message, OrchestratorOptions settings)
    {
        if (message.Outcome == RunOutcomes.Exited && message.ExitCode == 0)
            return RunVerdict.Completed;
        if (message.Outcome == RunOutcomes.TimedOut)
            return RunVerdict.TimedOut;
        if (message.Outcome == RunOutcomes.Cancelled)
            return RunVerdict.Cancelled;

        var retry = settings.Services.TryGetValue(saga.Service, out var service) ? service.Retry : new RetryOptions();
        var retryable = message.Outcome switch
        {
            RunOutcomes.NotStarted => true,
            RunOutcomes.Lost => retry.RetryLostRuns,
            RunOutcomes.Exited => message.ExitCode is { } code && retry.RetryExitCodes.Contains(code),
            _ => false,
        };
        return retryable && saga.Attempt < retry.MaxAttempts ? RunVerdict.Retry : RunVerdict.Failed;
    }

    public static TimeSpan RetryDelay(this JobLifecycleSaga saga, OrchestratorOptions settings) =>
        (settings.Services.TryGetValue(saga.Service, out var service) ? service.Retry : new RetryOptions()).DelayBefore(saga.Attempt + 1);

    public static TimeSpan QueueWaitWarning(this JobLifecycleSaga saga, OrchestratorOptions settings) =>
        settings.Services.TryGetValue(saga.Service, out var service) ? service.QueueWaitWarning : TimeSpan.FromHours(1);

    public static void Finish(this JobLifecycleSaga saga, JobFinished message)
    {
        // A report can overtake the dispatch notice; a run that reported was dispatched all the same.
        saga.DispatchedAt ??= message.FinishedAt;
        saga.FinishedAt = message.FinishedAt;
        saga.ExitCode = message.ExitCode;
        saga.LastOutcome = message.Outcome;
        saga.Error = message.Outcome switch
        {
            RunOutcomes.Exited when message.ExitCode == 0 => null,
            RunOutcomes.Exited => message.Error ?? $"run.sh exited with code {message.ExitCode}",
            RunOutcomes.Lost => message.Error
                ?? "The executor running the job died; the job was not run again because its script may have had side effects.",
            RunOutcomes.Cancelled => message.Error ?? saga.CancelReason ?? "The job was cancelled.",
            RunOutcomes.TimedOut => message.Error ?? $"The job ran longer than its limit of {saga.TimeoutSeconds} s.",
            _ => message.Error ?? "The job could not be started.",
        };
    }

    /// <summary>Ends the job without a run report (cancelled while queued, destination silent past the deadline).</summary>
    public static void Abandon(this JobLifecycleSaga saga, string error)
    {
        saga.FinishedAt = DateTimeOffset.UtcNow;
        saga.Error = error;
    }

    public static JobStateChanged Announcement(this JobLifecycleSaga saga, string state) =>
        new(saga.CorrelationId, saga.JobNumber, state, saga.Sequence, DateTimeOffset.UtcNow, saga.Destination,
            saga.ExitCode, saga.Error, saga.Attempt, saga.LastOutcome, saga.DispatchedAt);

    public static StopRun StopRequest(this JobLifecycleSaga saga) =>
        new(saga.CorrelationId, saga.Attempt, saga.Destination ?? string.Empty, saga.CancelReason);
}
