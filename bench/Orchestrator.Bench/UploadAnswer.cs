using System.Text.Json.Serialization;

namespace Orchestrator.Bench;

/// <summary>The part of the <c>201</c> body of <c>POST /upload</c> the benchmark reads.</summary>
public sealed class UploadAnswer
{
    [JsonPropertyName("id")]
    public long Id { get; set; }
}
