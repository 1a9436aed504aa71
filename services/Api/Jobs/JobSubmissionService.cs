using System.Globalization;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using Orchestrator.Api.Callbacks;
using Orchestrator.Api.Persistence;
using Orchestrator.Api.Scripts;
using Orchestrator.Api.Security;
using Orchestrator.Contracts;
using Orchestrator.Platform.Configuration;
using Orchestrator.Platform.Hosting;
using Orchestrator.Platform.Messaging;
using Orchestrator.Platform.Persistence;

namespace Orchestrator.Api.Jobs;

/// <summary>
/// Turns an upload, a v1 request or a bus command into a job: validates it, puts its files into the job's directory,
/// and writes the job row and its <see cref="JobSubmitted"/> message in one transaction, so neither exists without
/// the other.
/// </summary>
public sealed class JobSubmissionService(
    ApiDbContext db,
    OutboxSignal signal,
    JobInputWriter inputs,
    IOptions<OrchestratorOptions> orchestrator,
    IOptions<ApiOptions> api,
    IOptions<CallbackOptions> callbacks,
    OrchestratorMetrics metrics,
    ILogger<JobSubmissionService> logger)
{
    public const string Script = "run.sh";

    /// <summary>
    /// The identity sequence of <c>api.jobs.number</c>, named as PostgreSQL names it. Named here, it is resolved once
    /// per prepared statement; <c>pg_get_serial_sequence</c> searched the catalog on every call, which cost the
    /// server as much as the job's insert.
    /// </summary>
    const string NumberSequence = "api.jobs_number_seq";

    const string NextNumberSql = $"SELECT nextval('{NumberSequence}')";

    /// <summary>The user's jobs waiting in the service and, when there is room for one more, the new job's number.</summary>
    const string CountWaitingSql = $"""
        SELECT count(*), CASE WHEN count(*) < $3 THEN nextval('{NumberSequence}') END
        FROM api.jobs WHERE user_id = $1 AND service = $2 AND state IN ('{JobStates.Submitted}', '{JobStates.Queued}')
        """;

    /// <summary>The WeNMR-compatible multipart upload.</summary>
    public async Task<JobRecord> SubmitAsync(HttpRequest request, ApiCaller caller, CancellationToken cancellationToken)
    {
        var jobId = NewId.NextGuid();
        var staging = StagingDirectory(jobId);
        try
        {
            var upload = await MultipartUploadReader.ReadAsync(request, staging, api.Value, logger, cancellationToken);
            var (userId, service) = Validate(upload, caller);
            CheckScript(staging, service);
            var job = NewJob(jobId, userId, service, caller);
            await StoreAsync(job, staging, cancellationToken);
            return job;
        }
        finally
        {
            TryDelete(staging);
        }
    }

    /// <summary>
    /// A job described by <paramref name="request"/>. A request repeating an earlier one, by its client id or by
    /// <paramref name="idempotencyKey"/>, returns that job; a different request under either is refused.
    /// </summary>
    public async Task<SubmissionResult> SubmitAsync(JobRequest request, string? idempotencyKey, ApiCaller caller, CancellationToken cancellationToken)
    {
        var valid = JobRequestRules.Validate(request with { UserId = caller.UserFor(request.UserId) }, orchestrator.Value, callbacks.Value);
        var hash = JobRequestRules.Fingerprint(valid);
        if (await FindRepeatAsync(valid.ClientId, idempotencyKey, hash, caller, cancellationToken) is { } earlier)
            return new SubmissionResult(earlier, Created: false);

        var jobId = NewId.NextGuid();
        var staging = StagingDirectory(jobId);
        try
        {
            await inputs.WriteAsync(valid.Files, staging, cancellationToken);
            CheckScript(staging, valid.Service!);
            var job = NewJob(jobId, valid.UserId!.Value, valid.Service!, caller);
            job.ClientId = valid.ClientId;
            job.IdempotencyKey = idempotencyKey;
            job.RequestHash = hash;
            job.TimeoutSeconds = valid.TimeoutSeconds;
            job.Environment = valid.Environment?.ToDictionary(StringComparer.Ordinal);
            job.CallbackUrl = valid.Callback?.Url;
            job.CallbackEvents = valid.Callback?.Events?.ToList();
            try
            {
                await StoreAsync(job, staging, cancellationToken);
                return new SubmissionResult(job, Created: true);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                // A concurrent request with the same id or key won the insert: it is this request's earlier self.
                if (await FindRepeatAsync(valid.ClientId, idempotencyKey, hash, caller, cancellationToken) is { } winner)
                    return new SubmissionResult(winner, Created: false);
                throw;
            }
        }
        finally
        {
            TryDelete(staging);
        }
    }

    /// <summary>
    /// The earlier job this request repeats. A job of another caller is never handed out: its id or key is in use,
    /// which is all this caller learns.
    /// </summary>
    async Task<JobRecord?> FindRepeatAsync(string? clientId, string? idempotencyKey, string hash, ApiCaller caller, CancellationToken cancellationToken)
    {
        if (idempotencyKey is not null)
        {
            var byKey = await db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.IdempotencyKey == idempotencyKey, cancellationToken);
            if (byKey is not null)
            {
                // As the Idempotency-Key draft asks: the key's reuse for another request is the client's mistake.
                if (byKey.RequestHash != hash || !caller.CanSee(byKey))
                    throw new UploadRejectedException(StatusCodes.Status422UnprocessableEntity, "Idempotency key reused",
                        $"Idempotency-Key '{idempotencyKey}' was used for job {byKey.PublicId} with a different request.");
                return byKey;
            }
        }

        if (clientId is null)
            return null;
        var byId = await db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.ClientId == clientId, cancellationToken);
        if (byId is not null && (byId.RequestHash != hash || !caller.CanSee(byId)))
            throw new UploadRejectedException(StatusCodes.Status409Conflict, "Job id in use",
                $"Job '{clientId}' already exists with a different request.");
        return byId;
    }

    (int UserId, string Service) Validate(UploadedJob upload, ApiCaller caller)
    {
        int? requested = null;
        if (!string.IsNullOrEmpty(upload.UserId))
        {
            if (!int.TryParse(upload.UserId, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
                throw Invalid("Invalid user_id", $"'user_id' must be a non-negative integer, not '{Shorten(upload.UserId)}'.");
            requested = parsed;
        }

        if (caller.UserFor(requested) is not { } userId)
            throw Invalid("Missing user_id", "The form field 'user_id' (an integer) is required.");
        if (string.IsNullOrEmpty(upload.Service))
            throw Invalid("Missing service", "The form field 'service' is required.");
        if (!orchestrator.Value.Services.ContainsKey(upload.Service))
            throw Invalid("Unknown service",
                $"Service '{Shorten(upload.Service)}' is not configured; known services: {string.Join(", ", orchestrator.Value.Services.Keys.Order())}.");
        if (upload.FileNames.Count == 0)
            throw Invalid("No files", $"Upload the job's files as 'file' parts, including {Script}.");
        if (!upload.FileNames.Contains(Script))
            throw Invalid($"Missing {Script}", $"The upload must include a file named {Script}.");
        return (userId, upload.Service);
    }

    /// <summary>Applies the service's script policy to the staged run.sh: a refusal is 422 naming the rule and line.</summary>
    void CheckScript(string staging, string service)
    {
        var policy = orchestrator.Value.Services[service].ScriptPolicy;
        if (!policy.Enabled)
            return;
        var path = Path.Combine(staging, Script);
        var size = new FileInfo(path).Length;
        var violation = size > policy.MaxScriptBytes
            ? ScriptPolicy.TooLarge(size, policy)
            : ScriptPolicy.Check(File.ReadAllBytes(path), policy);
        if (violation is null)
            return;
        logger.LogWarning("A job for {Service} was refused by the script policy: {Category}/{Rule} at line {Line}",
            service, violation.Category, violation.Rule, violation.Line);
        throw new UploadRejectedException(StatusCodes.Status422UnprocessableEntity, "Script refused",
            $"{violation.Message} (rule '{violation.Rule}', category {violation.Category}; it can be switched off per service with " +
            $"Orchestrator:Services:{service}:ScriptPolicy:{violation.Category}=false).")
        {
            Extensions = new Dictionary<string, object?>
            {
                ["category"] = violation.Category,
                ["rule"] = violation.Rule,
                ["line"] = violation.Line,
            },
        };
    }

    static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";

    string StagingDirectory(Guid jobId) =>
        Path.Combine(orchestrator.Value.Storage.JobsRoot, ".incoming", jobId.ToString("N"));

    JobRecord NewJob(Guid jobId, int userId, string service, ApiCaller caller) => new()
    {
        Owner = caller.Name,
        JobId = jobId,
        UserId = userId,
        Service = service,
        State = JobStates.Submitted,
        Directory = Path.Combine(orchestrator.Value.Storage.JobsRoot, jobId.ToString("N")),
        SubmittedAt = DateTimeOffset.UtcNow,
    };

    /// <summary>Moves the staged files to the job's directory and commits the job with its <see cref="JobSubmitted"/>.</summary>
    async Task StoreAsync(JobRecord job, string staging, CancellationToken cancellationToken)
    {
        StorageErrors.Guard(() => Directory.Move(staging, job.Directory), logger);
        OutboxMessage submitted;
        try
        {
            // One connection for the whole job, taken from the pool once.
            await db.Database.OpenConnectionAsync(cancellationToken);
            try
            {
                submitted = orchestrator.Value.Services[job.Service].MaxQueuedPerUser is { } limit
                    ? await InsertWithinQueueLimitAsync(job, limit, cancellationToken)
                    : await InsertAsync(job, await NextNumberAsync(cancellationToken), cancellationToken);
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
        }
        catch
        {
            TryDelete(job.Directory);
            throw;
        }

        // Committed: the dispatcher sends it from memory instead of looking for it in the table.
        signal.Committed([submitted]);

        metrics.Submitted(job.Service, orchestrator.Value.Services.GetValueOrDefault(job.Service)?.Destination);
        MessagingTelemetry.TagJob(job.JobId);
        System.Diagnostics.Activity.Current?.SetTag("orchestrator.job_number", job.Number);
        logger.LogInformation("Job {JobNumber} ({JobId}) submitted by user {UserId} for {Service}", job.Number, job.JobId, job.UserId, job.Service);
    }

    /// <summary>
    /// Writes the job and its <see cref="JobSubmitted"/> in one batch, one round trip; the number is taken first
    /// because the message carries it. Outside a transaction of ours, PostgreSQL runs the batch as one implicit
    /// transaction: neither row commits without the other, and no BEGIN and COMMIT are needed.
    /// </summary>
    async Task<OutboxMessage> InsertAsync(JobRecord job, long number, CancellationToken cancellationToken)
    {
        job.Number = number;
        var submitted = OutboxMessages.Publish(new JobSubmitted(job.JobId, job.Number, job.UserId, job.Service, job.Directory,
            job.SubmittedAt, job.TimeoutSeconds, job.Environment), job.JobId);
        await using var batch = db.CreateBatch();
        batch.BatchCommands.Add(JobInsert.Command(job));
        batch.BatchCommands.Add(db.InsertCommand(submitted));
        // The job's INSERT returns no rows, so the reader starts at the message's sequence number.
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            submitted.SequenceNumber = reader.GetInt64(0);
        }

        return submitted;
    }

    async Task<long> NextNumberAsync(CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(NextNumberSql);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// Enforces the service's <c>MaxQueuedPerUser</c>. Uploads of one user to one service serialise on an advisory
    /// lock, held to the commit, so concurrent uploads cannot all slip under the limit together. Taking the lock,
    /// counting and taking the number are one round trip; a refused job takes no number.
    /// </summary>
    async Task<OutboxMessage> InsertWithinQueueLimitAsync(JobRecord job, int limit, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        long waiting;
        long? number;
        await using (var batch = db.CreateBatch())
        {
            // The count is a statement of its own, after the lock's: it must see what the lock's last holder committed.
            batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock(hashtext($1), $2)")
            {
                Parameters = { new() { Value = job.Service }, new() { Value = job.UserId } },
            });
            batch.BatchCommands.Add(new NpgsqlBatchCommand(CountWaitingSql)
            {
                Parameters = { new() { Value = job.UserId }, new() { Value = job.Service }, new() { Value = (long)limit } },
            });
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            await reader.NextResultAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            waiting = reader.GetInt64(0);
            number = reader.IsDBNull(1) ? null : reader.GetInt64(1);
        }

        if (number is null)
            throw new UploadRejectedException(StatusCodes.Status429TooManyRequests, "Too many queued jobs",
                $"User {job.UserId} already has {waiting} jobs waiting in service '{job.Service}' (limit {limit}); retry later.");
        var submitted = await InsertAsync(job, number.Value, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return submitted;
    }

    static UploadRejectedException Invalid(string title, string detail) =>
        new(StatusCodes.Status400BadRequest, title, detail);

    static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
                Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
