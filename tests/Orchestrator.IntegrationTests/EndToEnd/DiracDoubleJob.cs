namespace Orchestrator.IntegrationTests.EndToEnd;

/// <summary>A job as the DiracX contract double keeps it.</summary>
public sealed class DiracDoubleJob
{
    public required long JobId { get; init; }

    public required string Jdl { get; init; }

    public required IReadOnlyDictionary<string, string> Attributes { get; init; }

    public required string InputSandboxKey { get; init; }

    public string Status { get; set; } = "Received";

    public string MinorStatus { get; set; } = "Job accepted";

    public string ApplicationStatus { get; set; } = "Unknown";

    /// <summary>Kept at Running until released, for tests that act while a job runs.</summary>
    public bool Held { get; set; }

    /// <summary>Ends Failed with this minor status instead of running the script.</summary>
    public string? FailWith { get; set; }

    public string? OutputSandboxPfn { get; set; }

    /// <summary>Every status the job passed through, in order.</summary>
    public List<string> History { get; } = ["Received"];

    public string JobName => Attributes.GetValueOrDefault("JobName", "").Trim('"');
}
