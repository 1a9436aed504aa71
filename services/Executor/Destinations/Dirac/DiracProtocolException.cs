namespace Orchestrator.Executor.Destinations.Dirac;

/// <summary>DiracX answered, but not as its API says (malformed JSON, a missing field, an unexpected status code).</summary>
public sealed class DiracProtocolException(string message, Exception? inner = null) : Exception(message, inner);
