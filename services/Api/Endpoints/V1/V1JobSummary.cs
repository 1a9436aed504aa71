using Orchestrator.Api.Jobs;

namespace Orchestrator.Api.Endpoints.V1;

/// <summary>A job as listed by <c>GET /v1/jobs</c>.</summary>
public sealed record V1JobSummary(
    string Id,
    long Number,
    string Service,
    int User,
    string State,
    DateTimeOffset SubmittedAt,
    int? ExitCode,
    string Self)
{
    public static V1JobSummary From(JobRecord job) =>
        new(job.PublicId, job.Number, job.Service, job.UserId, job.State, job.SubmittedAt, job.ExitCode, V1Paths.Job(job));
}
