using Orchestrator.Api.Persistence;
using Orchestrator.Contracts;

namespace Orchestrator.Api.Jobs;

public static class JobAttempts
{
    /// <summary>
    /// Folds a state change into the attempt it belongs to. Times and the outcome are kept from the first event that
    /// carries them; the attempt's state only moves forward by sequence, like the job's. The job's attempts must already
    /// be tracked by <paramref name="db"/>: a batch of changes loads them once.
    /// </summary>
    public static void Apply(ApiDbContext db, JobRecord job, JobStateChanged change)
    {
        // A job cancelled in the queue ends an attempt that never went anywhere: it is not one.
        if (change.Attempt <= 0 || change.DispatchedAt is null || !BelongsToAttempt(change.State))
            return;
        var attempt = db.Attempts.Local.SingleOrDefault(a => a.JobNumber == job.Number && a.Attempt == change.Attempt);
        if (attempt is null)
        {
            attempt = new JobAttempt { JobNumber = job.Number, Attempt = change.Attempt, State = change.State, Sequence = change.Sequence };
            db.Attempts.Add(attempt);
        }
        else if (change.Sequence > attempt.Sequence)
        {
            attempt.State = change.State;
            attempt.Sequence = change.Sequence;
        }

        attempt.Destination ??= change.Destination;
        attempt.DispatchedAt ??= change.DispatchedAt;
        if (change.State == JobStates.Running)
            attempt.StartedAt ??= change.ChangedAt;

        // Earlier states repeat the previous attempt's outcome and exit code, so only an ending state's count.
        if (change.State is JobStates.RetryPending || JobStates.IsFinal(change.State))
        {
            attempt.FinishedAt ??= change.ChangedAt;
            attempt.Outcome ??= change.Outcome;
            attempt.ExitCode ??= change.ExitCode;
            attempt.Error ??= change.Error;
        }
    }

    static bool BelongsToAttempt(string state) =>
        state is JobStates.Dispatched or JobStates.Running or JobStates.Cancelling or JobStates.RetryPending
            or JobStates.Completed or JobStates.Failed or JobStates.Cancelled or JobStates.TimedOut;
}
