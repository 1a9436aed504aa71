using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Orchestrator.Api.Jobs;
using Orchestrator.Api.Persistence;
using Orchestrator.Api.Security;
using Orchestrator.Contracts;

namespace Orchestrator.Api.Endpoints.V1;

/// <summary>The versioned JSON API: submit, list, inspect, cancel, and fetch results or single files.</summary>
public static class V1JobEndpoints
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    const int DefaultPageSize = 50;
    const int MaxIdempotencyKeyLength = 255;

    static readonly JsonSerializerOptions RequestJson = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    static readonly FileExtensionContentTypeProvider ContentTypes = new();

    public static IEndpointRouteBuilder MapV1JobEndpoints(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1/jobs");
        v1.MapPost("", SubmitAsync).DisableAntiforgery().WithName("V1SubmitJob")
            .WithSummary("Submit a job as JSON; a repeat with the same id or Idempotency-Key and body returns the same job.");
        v1.MapGet("", ListAsync).WithName("V1ListJobs")
            .WithSummary("Jobs, newest first, filtered by user, service and state, one page at a time.");
        v1.MapGet("/{id}", GetAsync).WithName("V1GetJob")
            .WithSummary("The job: state, transitions, attempts, exit code and error.");
        v1.MapDelete("/{id}", CancelAsync).WithName("V1CancelJob")
            .WithSummary("Cancel the job: 202 while the scheduler stops it, 409 once it has ended otherwise.");
        v1.MapMethods("/{id}/result", [HttpMethods.Get, HttpMethods.Head], ResultAsync).WithName("V1JobResult")
            .WithSummary("The job's directory as a zip, once the job has ended.");
        v1.MapGet("/{id}/files", ListFilesAsync).WithName("V1ListJobFiles")
            .WithSummary("The files in the job's directory.");
        v1.MapMethods("/{id}/files/{**path}", [HttpMethods.Get, HttpMethods.Head], FileAsync).WithName("V1JobFile")
            .WithSummary("One file of the job's directory, streamed.");
        return app;
    }

    static async Task<IResult> SubmitAsync(
        HttpContext http, ApiCaller caller, JobSubmissionService submissions, ApiDbContext db, IOptions<ApiOptions> options, CancellationToken cancellationToken)
    {
        if (!IsJson(http.Request.ContentType))
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Not JSON", "Send the job as application/json.");
        var sizeLimit = http.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeLimit is { IsReadOnly: false })
            sizeLimit.MaxRequestBodySize = options.Value.MaxJsonRequestBytes;

        try
        {
            var idempotencyKey = IdempotencyKey(http.Request);
            V1JobRequest? body;
            try
            {
                body = await JsonSerializer.DeserializeAsync<V1JobRequest>(http.Request.Body, RequestJson, cancellationToken);
            }
            catch (JsonException ex)
            {
                return Problem(StatusCodes.Status400BadRequest, "Malformed JSON", ex.Message);
            }

            if (body is null)
                return Problem(StatusCodes.Status400BadRequest, "Malformed JSON", "The body must be a JSON object.");

            var result = await submissions.SubmitAsync(ToJobRequest(body), idempotencyKey, caller, cancellationToken);
            var view = V1JobView.From(result.Job, await V1Attempts.LoadAsync(db, result.Job.Number, cancellationToken));
            return result.Created ? TypedResults.Created(view.Links.Self, view) : TypedResults.Ok(view);
        }
        catch (UploadRejectedException ex)
        {
            if (ex.StatusCode == StatusCodes.Status429TooManyRequests)
                http.Response.Headers.RetryAfter = ((int)options.Value.QueueFullRetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            return TypedResults.Problem(ex.Message, statusCode: ex.StatusCode, title: ex.Title, extensions: ex.Extensions);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "Request too large",
                $"The JSON body exceeds {options.Value.MaxJsonRequestBytes} bytes; give large files by url instead.");
        }
    }

    static JobRequest ToJobRequest(V1JobRequest body)
    {
        var files = (body.Files ?? []).Select(ToInput).ToList();
        var callback = body.Callback is null ? null : new JobCallback(body.Callback.Url, body.Callback.Events);
        return new JobRequest(body.Id, body.Service, body.User, files, body.Environment, body.TimeoutSeconds, callback);
    }

    static JobInput ToInput(V1FileRequest file)
    {
        byte[]? content = null;
        if (file.Content is not null)
        {
            content = (file.Encoding ?? "text") switch
            {
                "text" => Encoding.UTF8.GetBytes(file.Content),
                "base64" => DecodeBase64(file),
                var other => throw new UploadRejectedException(StatusCodes.Status400BadRequest, "Invalid file",
                    $"File '{file.Path}' has encoding '{other}'; use 'text' or 'base64'."),
            };
        }
        else if (file.Encoding is not null)
        {
            throw new UploadRejectedException(StatusCodes.Status400BadRequest, "Invalid file", $"File '{file.Path}' has an encoding but no content.");
        }

        Uri? url = null;
        if (file.Url is not null && !Uri.TryCreate(file.Url, UriKind.Absolute, out url))
            throw new UploadRejectedException(StatusCodes.Status400BadRequest, "Invalid file url", $"File '{file.Path}' has url '{file.Url}', which is not an absolute URL.");
        return new JobInput(file.Path, content, url);
    }

    static byte[] DecodeBase64(V1FileRequest file)
    {
        try
        {
            return Convert.FromBase64String(file.Content!);
        }
        catch (FormatException)
        {
            throw new UploadRejectedException(StatusCodes.Status400BadRequest, "Invalid file", $"The content of '{file.Path}' is not valid base64.");
        }
    }

    /// <summary>The key as a plain token or as the structured-field string the Idempotency-Key draft specifies.</summary>
    static string? IdempotencyKey(HttpRequest request)
    {
        if (!request.Headers.TryGetValue(IdempotencyKeyHeader, out var values))
            return null;
        var key = values.ToString().Trim();
        if (key.Length >= 2 && key[0] == '"' && key[^1] == '"')
            key = key[1..^1];
        if (key.Length == 0 || key.Length > MaxIdempotencyKeyLength || key.Any(c => c < 0x20 || c > 0x7e) || values.Count > 1)
            throw new UploadRejectedException(StatusCodes.Status400BadRequest, "Invalid Idempotency-Key",
                $"Idempotency-Key must be one value of 1 to {MaxIdempotencyKeyLength} printable ASCII characters.");
        return key;
    }

    static async Task<IResult> ListAsync(HttpRequest request, ApiCaller caller, ApiDbContext db, IOptions<ApiOptions> options, CancellationToken cancellationToken)
    {
        var query = caller.Scope(db.Jobs.AsNoTracking());
        var limit = DefaultPageSize;
        var maxPage = options.Value.MaxPageSize;
        if (request.Query.TryGetValue("limit", out var limitText)
            && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > maxPage))
            return Problem(StatusCodes.Status400BadRequest, "Invalid limit", $"'limit' must be an integer from 1 to {maxPage}.");
        if (request.Query.TryGetValue("user", out var userText))
        {
            if (!int.TryParse(userText, NumberStyles.None, CultureInfo.InvariantCulture, out var user))
                return Problem(StatusCodes.Status400BadRequest, "Invalid user", "'user' must be a non-negative integer.");
            query = query.Where(j => j.UserId == user);
        }

        if (request.Query.TryGetValue("service", out var service))
        {
            var name = service.ToString();
            query = query.Where(j => j.Service == name);
        }

        if (request.Query.TryGetValue("state", out var state))
        {
            var name = state.ToString();
            query = query.Where(j => j.State == name);
        }

        if (request.Query.TryGetValue("cursor", out var cursorText))
        {
            if (DecodeCursor(cursorText.ToString()) is not { } before)
                return Problem(StatusCodes.Status400BadRequest, "Invalid cursor", "'cursor' must be a nextCursor value from an earlier page.");
            query = query.Where(j => j.Number < before);
        }

        var rows = await query.OrderByDescending(j => j.Number).Take(limit + 1).ToListAsync(cancellationToken);
        var page = rows.Take(limit).Select(V1JobSummary.From).ToList();
        var next = rows.Count > limit ? EncodeCursor(page[^1].Number) : null;
        if (next is not null)
        {
            var nextQuery = request.Query.Where(q => q.Key != "cursor")
                .Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value.ToString())}")
                .Append($"cursor={next}");
            request.HttpContext.Response.Headers.Append(HeaderNames.Link, $"</v1/jobs?{string.Join('&', nextQuery)}>; rel=\"next\"");
        }

        return TypedResults.Ok(new V1JobPage(page, next));
    }

    // The cursor is the last number of the page; opaque to clients, so paging could change without breaking them.
    static string EncodeCursor(long number) =>
        Base64Url.EncodeToString(Encoding.ASCII.GetBytes($"n{number.ToString(CultureInfo.InvariantCulture)}"));

    static long? DecodeCursor(string cursor)
    {
        try
        {
            var text = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(cursor));
            return text.StartsWith('n') && long.TryParse(text.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
                ? number : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    static async Task<IResult> GetAsync(string id, ApiCaller caller, ApiDbContext db, CancellationToken cancellationToken)
    {
        var job = await db.FindAsync(id, caller, cancellationToken);
        if (job is null)
            return UnknownJob(id);
        return TypedResults.Ok(V1JobView.From(job, await V1Attempts.LoadAsync(db, job.Number, cancellationToken)));
    }

    static async Task<IResult> CancelAsync(string id, ApiCaller caller, ApiDbContext db, JobCancellation cancellation, CancellationToken cancellationToken)
    {
        var job = await db.FindAsync(id, caller, cancellationToken);
        if (job is null)
            return UnknownJob(id);
        if (job.State == JobStates.Cancelled)
            return TypedResults.Ok(V1JobView.From(job, await V1Attempts.LoadAsync(db, job.Number, cancellationToken)));
        if (JobStates.IsFinal(job.State))
            return Problem(StatusCodes.Status409Conflict, "Job already ended", $"Job {job.PublicId} is {job.State} and cannot be cancelled.");

        job = await cancellation.RequestAsync(job.Number, "Cancelled through DELETE /v1/jobs", cancellationToken);
        var view = V1JobView.From(job, await V1Attempts.LoadAsync(db, job.Number, cancellationToken));
        return TypedResults.Accepted(view.Links.Self, view);
    }

    static async Task<IResult> ResultAsync(string id, HttpContext http, ApiCaller caller, ApiDbContext db, CancellationToken cancellationToken)
    {
        var job = await db.FindAsync(id, caller, cancellationToken);
        if (job is null)
            return UnknownJob(id);
        if (Unavailable(job) is { } gone)
            return gone;
        if (!JobStates.IsFinal(job.State))
            return Problem(StatusCodes.Status409Conflict, "Job not finished",
                $"Job {job.PublicId} is {job.State}; its result is ready once it has ended. Single files can be read meanwhile.");

        return ResultArchive.Download(http, job.Directory, $"job-{job.PublicId}.zip", cancellationToken);
    }

    static async Task<IResult> ListFilesAsync(string id, ApiCaller caller, ApiDbContext db, CancellationToken cancellationToken)
    {
        var job = await db.FindAsync(id, caller, cancellationToken);
        if (job is null)
            return UnknownJob(id);
        if (Unavailable(job) is { } gone)
            return gone;
        var root = new DirectoryInfo(job.Directory);
        var files = JobFiles.RegularFiles(root.FullName)
            .Select(f => new V1FileEntry(Path.GetRelativePath(root.FullName, f.FullName).Replace('\\', '/'), f.Length, f.LastWriteTimeUtc))
            .OrderBy(f => f.Path, StringComparer.Ordinal)
            .ToList();
        return TypedResults.Ok(files);
    }

    static async Task<IResult> FileAsync(string id, string path, ApiCaller caller, ApiDbContext db, CancellationToken cancellationToken)
    {
        var job = await db.FindAsync(id, caller, cancellationToken);
        if (job is null)
            return UnknownJob(id);
        if (Unavailable(job) is { } gone)
            return gone;
        if (JobPaths.Resolve(job.Directory, path) is not { } full || !File.Exists(full))
            return Problem(StatusCodes.Status404NotFound, "Unknown file", $"Job {job.PublicId} has no file '{path}'.");
        if (!ContentTypes.TryGetContentType(full, out var contentType))
            contentType = "application/octet-stream";
        return TypedResults.PhysicalFile(full, contentType, enableRangeProcessing: true);
    }

    /// <summary>410 once the job's files are gone (cleaned after the retention period, or lost from storage).</summary>
    static ProblemHttpResult? Unavailable(JobRecord job) =>
        job.State == JobStates.Cleaned || !Directory.Exists(job.Directory)
            ? Problem(StatusCodes.Status410Gone, "Results removed", $"The files of job {job.PublicId} have been removed.")
            : null;

    static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media)
        && (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.MediaType.Value!.EndsWith("+json", StringComparison.OrdinalIgnoreCase));

    static ProblemHttpResult UnknownJob(string id) =>
        Problem(StatusCodes.Status404NotFound, "Unknown job", $"There is no job {id}.");

    static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(detail, statusCode: status, title: title);
}
