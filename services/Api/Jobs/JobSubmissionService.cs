using System.Globalization;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Orchestrator.Api.Persistence;
using Orchestrator.Contracts;
using Orchestrator.Platform.Configuration;
using Orchestrator.Platform.Hosting;
using Orchestrator.Platform.Messaging;

namespace Orchestrator.Api.Jobs;

/// <summary>
/// Turns an upload into a job: validates it, moves its files into the job's directory, and writes the job row and
/// its <see cref="JobSubmitted"/> message in one transaction, so neither exists without the other.
/// </summary>
public sealed class JobSubmissionService(
    ApiDbContext db,
    OutboxSignal signal,
    IOptions<OrchestratorOptions> orchestrator,
    IOptions<ApiOptions> api,
    OrchestratorMetrics metrics,
    ILogger<JobSubmissionService> logger)
{
    public const string Script = "run.sh";

    public async Task<JobRecord> SubmitAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var jobsRoot = orchestrator.Value.Storage.JobsRoot;
        var jobId = NewId.NextGuid();
        var staging = Path.Combine(jobsRoot, ".incoming", jobId.ToString("N"));
        try
        {
            var upload = await MultipartUploadReader.ReadAsync(request, staging, api.Value.MaxUploadBytes, cancellationToken);
            var (userId, service) = Validate(upload);

            var directory = Path.Combine(jobsRoot, jobId.ToString("N"));
            Directory.Move(staging, directory);
            return await StoreAsync(jobId, userId, service, directory, cancellationToken);
        }
        catch
        {
            TryDelete(staging);
            throw;
        }
    }

    (int UserId, string Service) Validate(UploadedJob upload)
    {
        if (string.IsNullOrEmpty(upload.UserId))
            throw Invalid("Missing user_id", "The form field 'user_id' (an integer) is required.");
        if (!int.TryParse(upload.UserId, NumberStyles.None, CultureInfo.InvariantCulture, out var userId))
            throw Invalid("Invalid user_id", $"'user_id' must be a non-negative integer, not '{upload.UserId}'.");
        if (string.IsNullOrEmpty(upload.Service))
            throw Invalid("Missing service", "The form field 'service' is required.");
        if (!orchestrator.Value.Services.ContainsKey(upload.Service))
            throw Invalid("Unknown service",
                $"Service '{upload.Service}' is not configured; known services: {string.Join(", ", orchestrator.Value.Services.Keys.Order())}.");
        if (upload.FileNames.Count == 0)
            throw Invalid("No files", $"Upload the job's files as 'file' parts, including {Script}.");
        if (!upload.FileNames.Contains(Script))
            throw Invalid($"Missing {Script}", $"The upload must include a file named {Script}.");
        return (userId, upload.Service);
    }

    async Task<JobRecord> StoreAsync(Guid jobId, int userId, string service, string directory, CancellationToken cancellationToken)
    {
        var job = new JobRecord
        {
            JobId = jobId,
            UserId = userId,
            Service = service,
            State = JobStates.Submitted,
            Directory = directory,
            SubmittedAt = DateTimeOffset.UtcNow,
        };
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await EnsureQueueRoomAsync(userId, service, cancellationToken);
            db.Jobs.Add(job);
            await db.SaveChangesAsync(cancellationToken);
            db.AddOutboxPublish(new JobSubmitted(jobId, job.Number, userId, service, directory, job.SubmittedAt), jobId);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch
        {
            TryDelete(directory);
            throw;
        }

        signal.Notify();
        metrics.Submitted(service);
        System.Diagnostics.Activity.Current?.SetTag("orchestrator.job_id", jobId.ToString());
        System.Diagnostics.Activity.Current?.SetTag("orchestrator.job_number", job.Number);
        logger.LogInformation("Job {JobNumber} ({JobId}) submitted by user {UserId} for {Service}", job.Number, jobId, userId, service);
        return job;
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
