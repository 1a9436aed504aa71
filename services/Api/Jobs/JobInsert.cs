using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Orchestrator.Api.Jobs;

/// <summary>
/// The INSERT of a new job, written out rather than left to the change tracker: EF Core's insert of the job was a
/// sixth of the Api's CPU per upload. Only the columns a submission sets are written; every other column of
/// <c>api.jobs</c> starts at its default (null, or 0 for <c>sequence</c>) and is filled in later from the job's events.
/// </summary>
public static class JobInsert
{
    /// <summary>The columns written at submission, in the order of the statement's parameters.</summary>
    public static readonly IReadOnlyList<string> Columns =
    [
        "number", "job_id", "user_id", "service", "state", "sequence", "directory", "submitted_at", "owner", "client_id",
        "idempotency_key", "request_hash", "timeout_seconds", "environment", "callback_url", "callback_events",
    ];

    // The number is an identity column generated always; the submission takes it from the sequence itself first.
    static readonly string Sql =
        $"INSERT INTO api.jobs ({string.Join(", ", Columns)}) OVERRIDING SYSTEM VALUE VALUES ({string.Join(", ", Columns.Select((_, i) => $"${i + 1}"))})";

    /// <summary>The statement writing <paramref name="job"/>, whose number must already be set.</summary>
    public static NpgsqlBatchCommand Command(JobRecord job) => new(Sql)
    {
        Parameters =
        {
            new() { Value = job.Number },
            new() { Value = job.JobId },
            new() { Value = job.UserId },
            new() { Value = job.Service },
            new() { Value = job.State },
            new() { Value = job.Sequence },
            new() { Value = job.Directory },
            new() { Value = job.SubmittedAt },
            Text(job.Owner),
            Text(job.ClientId),
            Text(job.IdempotencyKey),
            Text(job.RequestHash),
            new() { Value = (object?)job.TimeoutSeconds ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer },
            // As the model's converter writes it, so EF Core reads it back the same.
            new()
            {
                Value = job.Environment is null ? DBNull.Value : JsonSerializer.Serialize(job.Environment, (JsonSerializerOptions?)null),
                NpgsqlDbType = NpgsqlDbType.Jsonb,
            },
            Text(job.CallbackUrl),
            new() { Value = (object?)job.CallbackEvents?.ToArray() ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
        },
    };

    // Typed even when null, so the prepared statement keeps one signature.
    static NpgsqlParameter Text(string? value) => new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };
}
