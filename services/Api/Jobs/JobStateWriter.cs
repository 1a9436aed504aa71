using Npgsql;
using Orchestrator.Api.Persistence;
using Orchestrator.Platform.Persistence;

namespace Orchestrator.Api.Jobs;

/// <summary>
/// Writes what a batch of state changes made of its jobs and their attempts: one UPDATE for all the jobs and one
/// upsert for all the attempts, in one round trip. Through the change tracker it was a statement per job and per
/// attempt, and the tracker's bookkeeping cost more than the statements. The caller holds the jobs' row locks, which
/// also stand for their attempts, so the values written are the rows' latest.
/// </summary>
public static class JobStateWriter
{
    const string UpdateJobs = """
        UPDATE api.jobs AS j SET state = v.state, sequence = v.sequence, destination = v.destination,
            exit_code = v.exit_code, error = v.error, queued_at = v.queued_at, dispatched_at = v.dispatched_at,
            running_at = v.running_at, completed_at = v.completed_at, failed_at = v.failed_at,
            cancelled_at = v.cancelled_at, timed_out_at = v.timed_out_at, cleaned_at = v.cleaned_at
        FROM unnest($1::bigint[], $2::text[], $3::integer[], $4::text[], $5::integer[], $6::text[],
            $7::timestamptz[], $8::timestamptz[], $9::timestamptz[], $10::timestamptz[], $11::timestamptz[],
            $12::timestamptz[], $13::timestamptz[], $14::timestamptz[])
            AS v(number, state, sequence, destination, exit_code, error, queued_at, dispatched_at, running_at,
                completed_at, failed_at, cancelled_at, timed_out_at, cleaned_at)
        WHERE j.number = v.number
        """;

    const string UpsertAttempts = """
        INSERT INTO api.job_attempts (job_number, attempt, state, sequence, destination, dispatched_at, started_at,
            finished_at, outcome, exit_code, error)
        SELECT * FROM unnest($1::bigint[], $2::integer[], $3::text[], $4::integer[], $5::text[], $6::timestamptz[],
            $7::timestamptz[], $8::timestamptz[], $9::text[], $10::integer[], $11::text[])
        ON CONFLICT (job_number, attempt) DO UPDATE SET state = excluded.state, sequence = excluded.sequence,
            destination = excluded.destination, dispatched_at = excluded.dispatched_at, started_at = excluded.started_at,
            finished_at = excluded.finished_at, outcome = excluded.outcome, exit_code = excluded.exit_code,
            error = excluded.error
        """;

    public static async Task WriteAsync(ApiDbContext db, IReadOnlyCollection<JobRecord> jobs, IReadOnlyCollection<JobAttempt> attempts,
        CancellationToken cancellationToken)
    {
        if (jobs.Count == 0 && attempts.Count == 0)
            return;
        await using var batch = db.CreateBatch();
        if (jobs.Count > 0)
        {
            batch.BatchCommands.Add(Command(UpdateJobs,
                jobs.Select(j => j.Number).ToArray(),
                jobs.Select(j => j.State).ToArray(),
                jobs.Select(j => j.Sequence).ToArray(),
                jobs.Select(j => j.Destination).ToArray(),
                jobs.Select(j => j.ExitCode).ToArray(),
                jobs.Select(j => j.Error).ToArray(),
                jobs.Select(j => j.QueuedAt).ToArray(),
                jobs.Select(j => j.DispatchedAt).ToArray(),
                jobs.Select(j => j.RunningAt).ToArray(),
                jobs.Select(j => j.CompletedAt).ToArray(),
                jobs.Select(j => j.FailedAt).ToArray(),
                jobs.Select(j => j.CancelledAt).ToArray(),
                jobs.Select(j => j.TimedOutAt).ToArray(),
                jobs.Select(j => j.CleanedAt).ToArray()));
        }

        if (attempts.Count > 0)
        {
            batch.BatchCommands.Add(Command(UpsertAttempts,
                attempts.Select(a => a.JobNumber).ToArray(),
                attempts.Select(a => a.Attempt).ToArray(),
                attempts.Select(a => a.State).ToArray(),
                attempts.Select(a => a.Sequence).ToArray(),
                attempts.Select(a => a.Destination).ToArray(),
                attempts.Select(a => a.DispatchedAt).ToArray(),
                attempts.Select(a => a.StartedAt).ToArray(),
                attempts.Select(a => a.FinishedAt).ToArray(),
                attempts.Select(a => a.Outcome).ToArray(),
                attempts.Select(a => a.ExitCode).ToArray(),
                attempts.Select(a => a.Error).ToArray()));
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    static NpgsqlBatchCommand Command(string sql, params object[] arrays)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var array in arrays)
            command.Parameters.Add(new NpgsqlParameter { Value = array });
        return command;
    }
}
