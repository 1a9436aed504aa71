namespace Orchestrator.Bench.Dispatch;

/// <summary>What the passes at one queue depth took.</summary>
public sealed record DepthResult(int Depth, IReadOnlyList<TimeSpan> Passes, int Dispatched, long LeftQueued);
