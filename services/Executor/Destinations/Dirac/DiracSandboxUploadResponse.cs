using System.Text.Json.Serialization;

namespace Orchestrator.Executor.Destinations.Dirac;

/// <summary>
/// DiracX's <c>SandboxUploadResponse</c>: the sandbox's PFN and, when the store does not hold it yet, a presigned
/// POST (<c>url</c> plus form <c>fields</c>) to upload it with.
/// </summary>
public sealed record DiracSandboxUploadResponse(
    [property: JsonPropertyName("pfn")] string? Pfn,
    [property: JsonPropertyName("url")] string? Url,
    [property: JsonPropertyName("fields")] Dictionary<string, string>? Fields);
