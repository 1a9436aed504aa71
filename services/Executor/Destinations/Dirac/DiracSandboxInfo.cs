using System.Text.Json.Serialization;

namespace Orchestrator.Executor.Destinations.Dirac;

/// <summary>DiracX's <c>SandboxInfo</c>, the body of <c>POST /api/jobs/sandbox</c>.</summary>
public sealed record DiracSandboxInfo(
    [property: JsonPropertyName("checksum_algorithm")] string ChecksumAlgorithm,
    [property: JsonPropertyName("checksum")] string Checksum,
    [property: JsonPropertyName("size")] long Size,
    [property: JsonPropertyName("format")] string Format);
