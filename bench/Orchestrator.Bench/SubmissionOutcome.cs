namespace Orchestrator.Bench;

/// <summary>What a submission phase achieved: accepted jobs in submission order and rejected uploads by cause.</summary>
public sealed class SubmissionOutcome
{
    public required IReadOnlyList<Submission> Accepted { get; init; }

    public required IReadOnlyDictionary<string, int> Rejected { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required DateTimeOffset EndedAt { get; init; }

    public double PerSecond => Accepted.Count / Math.Max((EndedAt - StartedAt).TotalSeconds, 1e-9);
}
