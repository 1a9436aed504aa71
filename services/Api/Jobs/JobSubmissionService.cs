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
            catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
            {
                // A concurrent request with the same id or key won the insert: it is this request's earlier self.
                db.ChangeTracker.Clear();
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
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await EnsureQueueRoomAsync(job.UserId, job.Service, cancellationToken);
            db.Jobs.Add(job);
            await db.SaveChangesAsync(cancellationToken);
            db.AddOutboxPublish(new JobSubmitted(job.JobId, job.Number, job.UserId, job.Service, job.Directory, job.SubmittedAt,
                job.TimeoutSeconds, job.Environment), job.JobId);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch
        {
            TryDelete(job.Directory);
            throw;
        }

        signal.Notify();
        metrics.Submitted(job.Service, orchestrator.Value.Services.GetValueOrDefault(job.Service)?.Destination);
        MessagingTelemetry.TagJob(job.JobId);
        System.Diagnostics.Activity.Current?.SetTag("orchestrator.job_number", job.Number);
        logger.LogInformation("Job {JobNumber} ({JobId}) submitted by user {UserId} for {Service}", job.Number, job.JobId, job.UserId, job.Service);
    }

    /// <summary>
    /// Enforces the service's <c>MaxQueuedPerUser</c>. Uploads of one user to one service serialise on an advisory
    /// lock for the count, so concurrent uploads cannot all slip under the limit together.
    /// </summary>
    async Task EnsureQueueRoomAsync(int userId, string service, CancellationToken cancellationToken)
    {
        if (orchestrator.Value.Services[service].MaxQueuedPerUser is not { } limit)
            return;
        await db.Database.ExecuteSqlAsync(
            $"SELECT pg_advisory_xact_lock(hashtext({service}), {userId})", cancellationToken);
        var waiting = await db.Jobs.CountAsync(
            j => j.UserId == userId && j.Service == service && (j.State == JobStates.Submitted || j.State == JobStates.Queued),
            cancellationToken);
        if (waiting >= limit)
            throw new UploadRejectedException(StatusCodes.Status429TooManyRequests, "Too many queued jobs",
                $"User {userId} already has {waiting} jobs waiting in service '{service}' (limit {limit}); retry later.");
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
