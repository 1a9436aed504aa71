using System.Text.Json.Serialization;

namespace Orchestrator.Executor.Destinations.Dirac;

/// <summary>DiracX's <c>SandboxDownloadResponse</c> from <c>GET /api/jobs/sandbox?pfn=</c>: a presigned GET address.</summary>
public sealed record DiracSandboxDownloadResponse(
    [property: JsonPropertyName("url")] string? Url,
    [property: JsonPropertyName("expires_in")] int ExpiresIn);
