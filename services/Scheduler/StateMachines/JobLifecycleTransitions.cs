using Orchestrator.Contracts;
using Orchestrator.Platform.Configuration;

namespace Orchestrator.Scheduler.StateMachines;

/// <summary>The state changes of a <see cref="JobLifecycleSaga"/>, kept apart from the wiring of the state machine.</summary>
public static class JobLifecycleTransitions
{
    public static void Accept(this JobLifecycleSaga saga, JobSubmitted message)
    {
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

    public static bool Succeeded(this JobLifecycleSaga saga, JobFinished message) =>
        message.Outcome == RunOutcomes.Exited && message.ExitCode == 0;

    public static void Finish(this JobLifecycleSaga saga, JobFinished message)
    {
        saga.FinishedAt = message.FinishedAt;
        saga.ExitCode = message.ExitCode;
        saga.Error = message.Outcome switch
        {
            RunOutcomes.Exited when message.ExitCode == 0 => null,
            RunOutcomes.Exited => message.Error ?? $"run.sh exited with code {message.ExitCode}",
            RunOutcomes.Lost => message.Error
                ?? "The executor running the job died; the job was not run again because its script may have had side effects.",
            _ => message.Error ?? "The job could not be started.",
        };
    }

    public static JobStateChanged Announcement(this JobLifecycleSaga saga, string state) =>
        new(saga.CorrelationId, saga.JobNumber, state, saga.Sequence, DateTimeOffset.UtcNow, saga.Destination,
            saga.ExitCode, saga.Error);
}
