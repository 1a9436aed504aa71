using System.Text.Json.Serialization;

namespace Orchestrator.Bench;

public sealed class JobStatusTransition
{
    [JsonPropertyName("state")]
    public string State { get; set; } = "";

    [JsonPropertyName("at")]
    public DateTimeOffset At { get; set; }
}
