using System.Text.Json.Serialization;

namespace Orchestrator.Executor.Destinations.Dirac;

/// <summary>DiracX's <c>InsertedJob</c>, one per JDL in the answer of <c>POST /api/jobs/jdl</c>.</summary>
public sealed record DiracInsertedJob(
    [property: JsonPropertyName("JobID")] long JobId,
    [property: JsonPropertyName("Status")] string? Status,
    [property: JsonPropertyName("MinorStatus")] string? MinorStatus);
