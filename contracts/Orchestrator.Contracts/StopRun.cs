namespace Orchestrator.Contracts;

/// <summary>
/// Published to every executor of a destination: stop this run. Only the instance that runs it acts, and answers
/// with <see cref="JobFinished"/> (outcome <see cref="RunOutcomes.Cancelled"/>) once the process is gone.
/// </summary>
public sealed record StopRun(Guid JobId, int Attempt, string Destination, string? Reason = null);
