using Orchestrator.Api.Endpoints;
using Orchestrator.Api.Endpoints.V1;
using static Orchestrator.Api.OpenApi.DocumentedResponse;

namespace Orchestrator.Api.OpenApi;

/// <summary>
/// Every endpoint's answers, by endpoint name (<c>WithName</c>). Kept beside the endpoints rather than in them: the
/// handlers return <c>IResult</c> from many branches, and one table is easier to check against them than metadata
/// spread over each route.
/// </summary>
public static class ApiDocumentation
{
    public const string CompatibleTag = "WeNMR-compatible";
    public const string V1Tag = "v1";

    static readonly DocumentedResponse UnknownJob = Problem(404, "There is no such job.");
    static readonly DocumentedResponse Unexpected = Problem(500, "An unexpected failure; the problem's traceId finds it in the logs and traces.");

    public static readonly IReadOnlyDictionary<string, DocumentedOperation> Operations = new Dictionary<string, DocumentedOperation>
    {
        ["Upload"] = new(CompatibleTag,
            "multipart/form-data with one or more 'file' parts (one of them run.sh), 'user_id' and 'service'. The job row and its "
            + "JobSubmitted message are written in one transaction.",
            [
                Ok<UploadResponse>(201, "The job was accepted; Location names its status."),
                Problem(400, "The upload is malformed, run.sh is missing, or user_id or service is invalid."),
                Problem(413, "The upload exceeds Api:MaxUploadBytes."),
                Problem(429, "The user has Services:{name}:MaxQueuedPerUser jobs queued; Retry-After says when to try again."),
                Unexpected,
            ],
            MultipartUpload: true),
        ["Download"] = new(CompatibleTag,
            "The job's results as a zip once it completed. HEAD answers the same status without the body.",
            [
                File(200, "The job completed: its directory as a zip.", "application/zip"),
                Empty(202, "The job is queued or running."),
                Empty(204, "The job failed, was cancelled, timed out, or its results were cleaned."),
                UnknownJob,
                Problem(500, "The job completed but its results are missing from storage."),
            ]),
        ["GetJob"] = new(CompatibleTag,
            "The job's state with the time of each transition, destination, exit code and error.",
            [Ok<JobStatusResponse>(200, "The job."), UnknownJob, Unexpected]),
        ["Terminate"] = new(CompatibleTag,
            "Asks the scheduler to cancel the job; a job that already ended is left as it is.",
            [Ok<TerminateResponse>(200, "The request is recorded."), UnknownJob, Unexpected]),

        ["V1SubmitJob"] = new(V1Tag,
            "A job as JSON with inline (base64 or text), fetched (url) or message-data files. A repeat with the same id, or the "
            + "same Idempotency-Key header and body, returns the job already made instead of a second one.",
            [
                Ok<V1JobView>(201, "The job was created; Location names it."),
                Ok<V1JobView>(200, "A repeat of an earlier submission: the job it made."),
                Problem(400, "The JSON is malformed or a field is invalid (the problem names which)."),
                Problem(409, "The job id is taken by a different job."),
                Problem(413, "The request or the job's files are too large."),
                Problem(415, "The body is not application/json."),
                Problem(422, "A file could not be fetched, or an Idempotency-Key was reused with another body."),
                Problem(429, "The user has too many queued jobs of this service; Retry-After says when to try again."),
                Unexpected,
            ],
            JsonBody: typeof(V1JobRequest)),
        ["V1ListJobs"] = new(V1Tag,
            "Jobs newest first, filtered by user, service and state; pass nextCursor as cursor for the next page.",
            [Ok<V1JobPage>(200, "One page of jobs."), Problem(400, "limit, user or cursor is invalid."), Unexpected]),
        ["V1GetJob"] = new(V1Tag,
            "The job: state, transitions, attempts, exit code and error.",
            [Ok<V1JobView>(200, "The job."), UnknownJob, Unexpected]),
        ["V1CancelJob"] = new(V1Tag,
            "Cancels the job; the scheduler stops a run in progress.",
            [
                Ok<V1JobView>(202, "Cancellation is under way."),
                Ok<V1JobView>(200, "The job was already cancelled."),
                UnknownJob,
                Problem(409, "The job has already ended otherwise."),
                Unexpected,
            ]),
        ["V1JobResult"] = new(V1Tag,
            "The job's directory as a zip, once the job has ended. HEAD answers the same status without the body.",
            [
                File(200, "The results.", "application/zip"),
                UnknownJob,
                Problem(409, "The job has not finished."),
                Problem(410, "The results were removed after the retention period."),
                Unexpected,
            ]),
        ["V1ListJobFiles"] = new(V1Tag,
            "The files in the job's directory with their sizes and modification times.",
            [
                Ok<IReadOnlyList<V1FileEntry>>(200, "The files."),
                UnknownJob,
                Problem(410, "The files were removed after the retention period."),
                Unexpected,
            ]),
        ["V1JobFile"] = new(V1Tag,
            "One file of the job's directory, streamed, with range requests.",
            [
                File(200, "The file, typed by its extension.", "application/octet-stream"),
                Problem(404, "There is no such job or file."),
                Problem(410, "The files were removed after the retention period."),
                Unexpected,
            ]),
    };
}
