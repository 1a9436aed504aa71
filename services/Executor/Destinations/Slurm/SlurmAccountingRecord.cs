namespace Orchestrator.Executor.Destinations.Slurm;

/// <summary>
/// A job's allocation as <c>sacct</c> records it: its state (<c>CANCELLED by 0</c> trimmed to <c>CANCELLED</c>),
/// the batch script's exit code and the signal that ended it (<c>ExitCode</c> is <c>code:signal</c>), and the reason.
/// </summary>
public sealed record SlurmAccountingRecord(string State, int ExitCode, int Signal, string? Reason, string? StateDetail = null);
