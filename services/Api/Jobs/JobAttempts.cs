using Orchestrator.Contracts;

namespace Orchestrator.Api.Jobs;

public static class JobAttempts
{
    /// <summary>
    /// Folds a state change into the attempt it belongs to and returns that attempt, or null when the change belongs to
    /// none. Times and the outcome are kept from the first event that carries them; the attempt's state only moves
    /// forward by sequence, like the job's. <paramref name="attempts"/> holds the job's attempts as read for the batch;
    /// a new attempt is added to it.
    /// </summary>
    public static JobAttempt? Apply(Dictionary<(long JobNumber, int Attempt), JobAttempt> attempts, JobRecord job, JobStateChanged change)
    {
        if (!Concerns(change))
            return null;
        if (!attempts.TryGetValue((job.Number, change.Attempt), out var attempt))
        {
            attempt = new JobAttempt { JobNumber = job.Number, Attempt = change.Attempt, State = change.State, Sequence = change.Sequence };
            attempts.Add((job.Number, change.Attempt), attempt);
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

        return attempt;
    }

    /// <summary>Whether <paramref name="change"/> belongs to an attempt; a batch without such changes reads no attempts.</summary>
    public static bool Concerns(JobStateChanged change) =>
        // A job cancelled in the queue ends an attempt that never went anywhere: it is not one.
        change.Attempt > 0 && change.DispatchedAt is not null && BelongsToAttempt(change.State);

    static bool BelongsToAttempt(string state) =>
        state is JobStates.Dispatched or JobStates.Running or JobStates.Cancelling or JobStates.RetryPending
            or JobStates.Completed or JobStates.Failed or JobStates.Cancelled or JobStates.TimedOut;
}
