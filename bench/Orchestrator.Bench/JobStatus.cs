using System.Text.Json.Serialization;

namespace Orchestrator.Bench;

/// <summary>The part of <c>GET /jobs/{id}</c> the benchmark reads.</summary>
public sealed class JobStatus
{
    [JsonPropertyName("id")]
    public long Id { get; set; }

    [JsonPropertyName("state")]
    public string State { get; set; } = "";

    [JsonPropertyName("transitions")]
    public List<JobStatusTransition> Transitions { get; set; } = [];

    /// <summary>
    /// Final by its state, or by a Completed/Failed transition time even while the state still says otherwise: a job
    /// whose state never catches up is counted as finished (and reported as inconsistent) rather than waited for forever.
    /// </summary>
    public bool IsFinal => State is "Completed" or "Failed" or "Cleaned" || At("Completed") is not null || At("Failed") is not null;

    /// <summary>The state lags behind the transitions recorded for the job.</summary>
    public bool IsInconsistent => State is not ("Completed" or "Failed" or "Cleaned") && IsFinal;

    public DateTimeOffset? At(string state) => Transitions.FirstOrDefault(t => t.State == state)?.At;
}
