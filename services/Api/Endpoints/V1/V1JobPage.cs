namespace Orchestrator.Api.Endpoints.V1;

/// <summary>One page of <c>GET /v1/jobs</c>; <see cref="NextCursor"/> is null on the last page.</summary>
public sealed record V1JobPage(IReadOnlyList<V1JobSummary> Items, string? NextCursor);
