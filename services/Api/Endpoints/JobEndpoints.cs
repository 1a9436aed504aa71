using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Orchestrator.Api.Jobs;
using Orchestrator.Api.Persistence;
using Orchestrator.Api.Security;
using Orchestrator.Contracts;

namespace Orchestrator.Api.Endpoints;

/// <summary>The WeNMR-compatible job endpoints: upload, download, status, terminate.</summary>
public static class JobEndpoints
{
    public static IEndpointRouteBuilder MapJobEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/upload", UploadAsync)
            .DisableAntiforgery()
            .WithName("Upload")
            .WithSummary("Submit a job: multipart 'file' parts (with run.sh), 'user_id' and 'service'.");
        app.MapMethods("/download/{id}", [HttpMethods.Get, HttpMethods.Head], DownloadAsync)
            .WithName("Download")
            .WithSummary("200 with the results zip when completed, 202 while queued or running, 204 when failed or cleaned.");
        app.MapGet("/download_partial/{id}", DownloadPartialAsync)
            .WithName("DownloadPartial")
            .WithSummary("The job's directory so far as a zip, fetched from its destination; 404 when unknown or not dispatched yet.");
        app.MapGet("/jobs/{id}", GetJobAsync)
            .WithName("GetJob")
            .WithSummary("The job's state, the time of each transition, destination, exit code and error.");
        app.MapPost("/terminate/{id}", TerminateAsync)
            .DisableAntiforgery()
            .WithName("Terminate")
            .WithSummary("Cancel the job: 200 once the request is recorded, 404 for an unknown job.");
        return app;
    }

    static async Task<Results<Created<UploadResponse>, ProblemHttpResult>> UploadAsync(
        HttpContext http, ApiCaller caller, JobSubmissionService submissions, IOptions<ApiOptions> options, CancellationToken cancellationToken)
    {
        var sizeLimit = http.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeLimit is { IsReadOnly: false })
            sizeLimit.MaxRequestBodySize = options.Value.MaxUploadBytes + 1024 * 1024;
        try
        {
            var job = await submissions.SubmitAsync(http.Request, caller, cancellationToken);
            return TypedResults.Created($"/jobs/{job.Number}",
                new UploadResponse(job.Number, job.UserId, job.Service, job.State, job.Directory, string.Empty));
        }
        catch (UploadRejectedException ex)
        {
            if (ex.StatusCode == StatusCodes.Status429TooManyRequests)
                http.Response.Headers.RetryAfter = ((int)options.Value.QueueFullRetryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.Problem(ex.Message, statusCode: ex.StatusCode, title: ex.Title, extensions: ex.Extensions);
        }
    }

    static async Task<IResult> DownloadAsync(string id, HttpContext http, ApiCaller caller, ApiDbContext db, CancellationToken cancellationToken)
    {
        var job = await FindAsync(db, id, caller, cancellationToken);
        if (job is null)
            return UnknownJob(id);

        switch (job.State)
        {
            case JobStates.Completed:
                break;
            case JobStates.Failed or JobStates.Cancelled or JobStates.TimedOut or JobStates.Cleaned:
                return TypedResults.NoContent();
            default:
                return TypedResults.Accepted((string?)null);
        }

        if (!Directory.Exists(job.Directory))
            return TypedResults.Problem($"Job {job.Number} completed but its results are missing from storage.",
                statusCode: StatusCodes.Status500InternalServerError, title: "Results missing");

        return ResultArchive.Download(http, job.Directory, $"job-{job.Number}.zip", cancellationToken);
    }

    static async Task<IResult> DownloadPartialAsync(string id, HttpContext http, ApiCaller caller, ApiDbContext db, PartialResults partial, CancellationToken cancellationToken)
    {
        var job = await FindAsync(db, id, caller, cancellationToken);
        if (job is null)
            return UnknownJob(id);
        if (job.DispatchedAt is null && job.State is JobStates.Submitted or JobStates.Queued or JobStates.RetryPending)
            return TypedResults.Problem($"Job {job.Number} has not been sent to a destination yet.", statusCode: StatusCodes.Status404NotFound, title: "Not dispatched");
        if (job.State == JobStates.Cleaned)
            return TypedResults.Problem($"Job {job.Number}'s files were removed after its retention.", statusCode: StatusCodes.Status404NotFound, title: "Results cleaned");

        if (await partial.RefreshAsync(job, cancellationToken) is { } problem)
            return problem;
        if (!Directory.Exists(job.Directory))
            return TypedResults.Problem($"Job {job.Number}'s directory is missing from storage.",
                statusCode: StatusCodes.Status500InternalServerError, title: "Results missing");
        return ResultArchive.Download(http, job.Directory, $"job-{job.Number}-partial.zip", cancellationToken);
    }

    static async Task<Results<Ok<JobStatusResponse>, ProblemHttpResult>> GetJobAsync(
        string id, ApiCaller caller, ApiDbContext db, CancellationToken cancellationToken)
    {
        var job = await FindAsync(db, id, caller, cancellationToken);
        return job is null ? UnknownJob(id) : TypedResults.Ok(JobStatusResponse.From(job));
    }

    static async Task<Results<Ok<TerminateResponse>, ProblemHttpResult>> TerminateAsync(
        string id, ApiCaller caller, ApiDbContext db, JobCancellation cancellation, CancellationToken cancellationToken)
    {
        var job = await FindAsync(db, id, caller, cancellationToken);
        if (job is null)
            return UnknownJob(id);
        await cancellation.RequestAsync(job.Number, "Terminated through POST /terminate", cancellationToken);
        return TypedResults.Ok(new TerminateResponse("job terminated"));
    }

    /// <summary>
    /// Compiled once: translating the query afresh on every call, even from EF Core's cache, was a sixth of the CPU of
    /// a status poll.
    /// </summary>
    static readonly Func<ApiDbContext, long, CancellationToken, Task<JobRecord?>> JobByNumber =
        EF.CompileAsyncQuery((ApiDbContext db, long number, CancellationToken _) => db.Jobs.AsNoTracking().SingleOrDefault(j => j.Number == number));

    /// <summary>The job numbered <paramref name="id"/> if the caller may see it: another caller's job is as unknown as a missing one.</summary>
    static async Task<JobRecord?> FindAsync(ApiDbContext db, string id, ApiCaller caller, CancellationToken cancellationToken)
    {
        if (id.Length is not (> 0 and <= 19) || !id.All(char.IsAsciiDigit)
            || !long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
            return null;
        var job = await JobByNumber(db, number, cancellationToken);
        return job is not null && caller.CanSee(job) ? job : null;
    }

    static ProblemHttpResult UnknownJob(string id) =>
        TypedResults.Problem($"There is no job {id}.", statusCode: StatusCodes.Status404NotFound, title: "Unknown job");
}
