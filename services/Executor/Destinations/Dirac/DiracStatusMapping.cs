using Orchestrator.Executor.Destinations.Remote;

namespace Orchestrator.Executor.Destinations.Dirac;

/// <summary>
/// DIRAC's job states (DIRAC <c>JobStatus</c>, DiracX <c>JobStatus</c>) in our terms. <c>Completed</c> is not final:
/// in DIRAC's state machine it leads on to <c>Done</c> or <c>Failed</c>, and the output sandbox is only certain at
/// <c>Done</c>. DIRAC does not report the payload's exit code as a job attribute, so a run is Done (exit 0) or Failed
/// with DIRAC's minor and application status as the reason.
/// </summary>
public static class DiracStatusMapping
{
    public static RemoteRunStatus Map(DiracJobStatus job)
    {
        var detail = Describe(job);
        return job.Status switch
        {
            "Submitting" or "Received" or "Checking" or "Staging" or "Waiting" or "Matched" or "Rescheduled"
                => new RemoteRunStatus(RemoteRunState.Pending, Detail: detail),
            "Running" or "Completing" or "Completed" => new RemoteRunStatus(RemoteRunState.Running, Detail: detail),
            // DIRAC's watchdog stopped hearing from the job; it may come back to Running, or be failed by DIRAC.
            "Stalled" => new RemoteRunStatus(RemoteRunState.Running, Detail: $"stalled at DIRAC: {detail}"),
            "Done" => new RemoteRunStatus(RemoteRunState.Exited, ExitCode: 0, Detail: detail),
            "Failed" => new RemoteRunStatus(RemoteRunState.Failed, Detail: $"DIRAC failed the job: {detail}"),
            "Killed" => new RemoteRunStatus(RemoteRunState.Cancelled, Detail: $"Killed at DIRAC: {detail}"),
            "Deleted" => new RemoteRunStatus(RemoteRunState.Failed, Detail: $"DIRAC deleted the job: {detail}"),
            _ => throw new DiracProtocolException($"DIRAC reported the unknown job status '{job.Status}'."),
        };
    }

    static string Describe(DiracJobStatus job)
    {
        var parts = new[] { job.Status, job.MinorStatus, job.ApplicationStatus }
            .Where(p => !string.IsNullOrWhiteSpace(p) && p != "Unknown");
        return string.Join("; ", parts);
    }
}
