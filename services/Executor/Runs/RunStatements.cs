using Orchestrator.Contracts;
using Orchestrator.Executor.Persistence;
using Orchestrator.Platform.Messaging;

namespace Orchestrator.Executor.Runs;

/// <summary>
/// The SQL of <see cref="RunWriter"/>: one statement per kind of write, taking the whole batch as arrays, so a batch
/// costs the same few statements whatever its size. Each returns the (job, attempt) of the runs it changed; the
/// reports also insert their outbox message for exactly those runs, in the same statement. The text never varies,
/// so every statement is prepared once per connection.
/// </summary>
public sealed class RunStatements
{
    RunStatements(string runs, string outbox)
    {
        Accept = $"""
            WITH i AS (
                SELECT * FROM unnest($1::uuid[], $2::integer[], $3::text[], $4::text[], $5::integer[], $6::text[], $7::integer[], $8::text[], $9::timestamptz[])
                    AS u(job_id, attempt, instance_id, service, user_id, directory, timeout_seconds, environment, accepted_at)),
            inserted AS (
                INSERT INTO {runs} (job_id, attempt, instance_id, service, user_id, directory, state, timeout_seconds, environment, accepted_at)
                SELECT job_id, attempt, instance_id, service, user_id, directory, '{RunStates.Accepted}', timeout_seconds, environment, accepted_at
                FROM i
                ON CONFLICT (job_id, attempt) DO NOTHING
                RETURNING job_id, attempt)
            SELECT job_id, attempt FROM inserted
            UNION
            {Earlier(runs, "r.accepted_at = i.accepted_at AND r.instance_id = i.instance_id")}
            """;
        Start = $"""
            WITH i AS (
                SELECT * FROM unnest($1::uuid[], $2::integer[], $3::integer[], $4::bigint[], $5::timestamptz[], $6::uuid[], $7::text[], $8::text[])
                    AS u(job_id, attempt, process_id, process_start_ticks, at, message_id, body, trace_parent)),
            changed AS (
                UPDATE {runs} r
                SET state = '{RunStates.Running}', process_id = i.process_id, process_start_ticks = i.process_start_ticks, started_at = i.at
                FROM i
                WHERE r.job_id = i.job_id AND r.attempt = i.attempt AND r.state = '{RunStates.Accepted}'
                RETURNING r.job_id, r.attempt),
            {Sent(outbox, typeof(JobStarted))}
            SELECT job_id, attempt FROM changed
            UNION
            {Earlier(runs, "r.started_at = i.at")}
            """;
        End = $"""
            WITH i AS (
                SELECT * FROM unnest($1::uuid[], $2::integer[], $3::text[], $4::integer[], $5::timestamptz[], $6::uuid[], $7::text[], $8::text[])
                    AS u(job_id, attempt, state, exit_code, at, message_id, body, trace_parent)),
            changed AS (
                UPDATE {runs} r
                SET state = i.state, exit_code = i.exit_code, finished_at = i.at
                FROM i
                WHERE r.job_id = i.job_id AND r.attempt = i.attempt AND r.state NOT IN ('{RunStates.Finished}', '{RunStates.Abandoned}')
                RETURNING r.job_id, r.attempt),
            {Sent(outbox, typeof(JobFinished))}
            SELECT job_id, attempt FROM changed
            UNION
            {Earlier(runs, "r.finished_at = i.at")}
            """;
        Settle = $"""
            UPDATE {runs} r
            SET state = '{RunStates.Finished}'
            FROM unnest($1::uuid[], $2::integer[]) AS i(job_id, attempt)
            WHERE r.job_id = i.job_id AND r.attempt = i.attempt AND r.state = '{RunStates.Abandoned}'
            RETURNING r.job_id, r.attempt
            """;
        ExternalId = $"""
            UPDATE {runs} r
            SET external_id = i.external_id
            FROM unnest($1::uuid[], $2::integer[], $3::text[]) AS i(job_id, attempt, external_id)
            WHERE r.job_id = i.job_id AND r.attempt = i.attempt
            RETURNING r.job_id, r.attempt
            """;
    }

    public string Accept { get; }

    public string Start { get; }

    public string End { get; }

    public string Settle { get; }

    public string ExternalId { get; }

    public string this[RunWriteKind kind] => kind switch
    {
        RunWriteKind.Accept => Accept,
        RunWriteKind.Start => Start,
        RunWriteKind.End => End,
        RunWriteKind.Settle => Settle,
        RunWriteKind.ExternalId => ExternalId,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>Table names come from the model, as the platform's own SQL takes them.</summary>
    public static RunStatements For(ExecutorDbContext db) => new(db.TableOf<RunRecord>(), db.TableOf<OutboxMessage>());

    /// <summary>
    /// The runs an earlier try of the same write changed: a commit whose answer was lost to a broken connection is
    /// tried again, finds its change made (by the exact time it recorded, seen in the snapshot from before this
    /// statement) and reports it applied, instead of "already done by someone else". Without this, an acceptance
    /// whose answer was lost would never be launched.
    /// </summary>
    static string Earlier(string runs, string sameWrite) =>
        $"SELECT r.job_id, r.attempt FROM {runs} r JOIN i ON r.job_id = i.job_id AND r.attempt = i.attempt AND {sameWrite}";

    /// <summary>A publish (no destination address), correlated by job like every report before.</summary>
    static string Sent(string outbox, Type messageType) => $"""
        sent AS (
            INSERT INTO {outbox} (message_id, message_type, body, correlation_id, trace_parent, created_at)
            SELECT i.message_id, '{MessageBodySerializer.TypeName(messageType)}', i.body::jsonb, i.job_id, i.trace_parent, i.at
            FROM i JOIN changed c ON c.job_id = i.job_id AND c.attempt = i.attempt)
        """;
}
