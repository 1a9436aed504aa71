using Orchestrator.Api.Jobs;

namespace Orchestrator.Api.Endpoints.V1;

public static class V1Paths
{
    public static string Job(JobRecord job) => $"/v1/jobs/{Uri.EscapeDataString(job.PublicId)}";
}
