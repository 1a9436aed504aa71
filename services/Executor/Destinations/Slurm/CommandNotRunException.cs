namespace Orchestrator.Executor.Destinations.Slurm;

/// <summary>A command could not be started (not found, not executable) or did not end in time.</summary>
public sealed class CommandNotRunException(string message, Exception? inner = null) : Exception(message, inner);
