namespace Orchestrator.Api.Endpoints.V1;

/// <summary>One file of a job's directory, as listed by <c>GET /v1/jobs/{id}/files</c>.</summary>
public sealed record V1FileEntry(string Path, long Size, DateTimeOffset ModifiedAt);
