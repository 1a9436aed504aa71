namespace Orchestrator.Executor.Destinations.Slurm;

/// <summary>A job as <c>squeue</c> shows it while slurmctld holds it: its state and Slurm's reason for it.</summary>
public sealed record SlurmQueueEntry(string State, string? Reason);
