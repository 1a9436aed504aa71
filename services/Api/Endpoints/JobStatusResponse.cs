using System.Text.Json.Serialization;
using Orchestrator.Api.Jobs;

namespace Orchestrator.Api.Endpoints;

/// <summary>The body of <c>GET /jobs/{id}</c>.</summary>
public sealed record JobStatusResponse(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("job_id")] Guid JobId,
    [property: JsonPropertyName("user_id")] int UserId,
    [property: JsonPropertyName("service")] string Service,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("destination")] string? Destination,
    [property: JsonPropertyName("exit_code")] int? ExitCode,
    [property: JsonPropertyName("error")] string? Error,
    [property: JsonPropertyName("transitions")] IReadOnlyList<JobTransition> Transitions)
{
    public static JobStatusResponse From(JobRecord job) =>
        new(job.Number, job.JobId, job.UserId, job.Service, job.State, job.Destination, job.ExitCode, job.Error, job.Transitions());
}
