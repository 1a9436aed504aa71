namespace Orchestrator.Executor.Destinations.Slurm;

/// <summary>A Slurm command answered, but not in a form this adapter can read.</summary>
public sealed class SlurmOutputException(string message) : Exception(message);
