namespace Orchestrator.Contracts;

/// <summary>A run ended, one way or another.</summary>
/// <param name="Outcome">One of <see cref="RunOutcomes"/>.</param>
/// <param name="ExitCode">The script's exit code when it exited by itself.</param>
public sealed record JobFinished(
    Guid JobId,
    int Attempt,
    string Outcome,
    int? ExitCode,
    string? Error,
    DateTimeOffset FinishedAt);
