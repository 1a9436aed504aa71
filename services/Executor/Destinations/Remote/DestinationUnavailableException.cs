namespace Orchestrator.Executor.Destinations.Remote;

/// <summary>The destination could not be reached or refused service for now; the call is worth repeating.</summary>
public sealed class DestinationUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
