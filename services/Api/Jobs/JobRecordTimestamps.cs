using Orchestrator.Contracts;

namespace Orchestrator.Api.Jobs;

public static class JobRecordTimestamps
{
    /// <summary>Records when the job entered <paramref name="state"/>, keeping the first time it was seen.</summary>
    public static void Stamp(this JobRecord job, string state, DateTimeOffset at)
    {
        switch (state)
        {
            case JobStates.Queued: job.QueuedAt ??= at; break;
            case JobStates.Dispatched: job.DispatchedAt ??= at; break;
            case JobStates.Running: job.RunningAt ??= at; break;
            case JobStates.Completed: job.CompletedAt ??= at; break;
            case JobStates.Failed: job.FailedAt ??= at; break;
            case JobStates.Cancelled: job.CancelledAt ??= at; break;
            case JobStates.TimedOut: job.TimedOutAt ??= at; break;
            case JobStates.Cleaned: job.CleanedAt ??= at; break;
        }
    }

    /// <summary>The transitions the job went through, in order, for <c>GET /jobs/{id}</c>.</summary>
    public static IReadOnlyList<JobTransition> Transitions(this JobRecord job)
    {
        var all = new (string State, DateTimeOffset? At)[]
        {
            (JobStates.Submitted, job.SubmittedAt),
            (JobStates.Queued, job.QueuedAt),
            (JobStates.Dispatched, job.DispatchedAt),
            (JobStates.Running, job.RunningAt),
            (JobStates.Completed, job.CompletedAt),
            (JobStates.Failed, job.FailedAt),
            (JobStates.Cancelled, job.CancelledAt),
            (JobStates.TimedOut, job.TimedOutAt),
            (JobStates.Cleaned, job.CleanedAt),
        };
        return all.Where(t => t.At is not null).Select(t => new JobTransition(t.State, t.At!.Value)).ToList();
    }
}
