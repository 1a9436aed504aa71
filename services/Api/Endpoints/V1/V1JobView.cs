using Orchestrator.Api.Jobs;

namespace Orchestrator.Api.Endpoints.V1;

/// <summary>The body of <c>GET /v1/jobs/{id}</c>.</summary>
/// <param name="Id">The client's id when it chose one, else the job's number; either works in URLs.</param>
public sealed record V1JobView(
    string Id,
    long Number,
    Guid JobId,
    string Service,
    int User,
    string State,
    DateTimeOffset SubmittedAt,
    string? Destination,
    int? ExitCode,
    string? Error,
    int? TimeoutSeconds,
    IReadOnlyDictionary<string, string>? Environment,
    V1CallbackView? Callback,
    DateTimeOffset? CancelRequestedAt,
    IReadOnlyList<JobTransition> Transitions,
    IReadOnlyList<V1AttemptView> Attempts,
    V1JobLinks Links)
{
    public static V1JobView From(JobRecord job, IReadOnlyList<V1AttemptView> attempts)
    {
        var self = V1Paths.Job(job);
        return new(job.PublicId, job.Number, job.JobId, job.Service, job.UserId, job.State, job.SubmittedAt, job.Destination,
            job.ExitCode, job.Error, job.TimeoutSeconds, job.Environment,
            job.CallbackUrl is null ? null : new V1CallbackView(job.CallbackUrl, job.CallbackEvents ?? []),
            job.CancelRequestedAt, job.Transitions(), attempts,
            new V1JobLinks(self, $"{self}/result", $"{self}/files"));
    }
}
