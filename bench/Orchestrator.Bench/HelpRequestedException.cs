namespace Orchestrator.Bench;

public sealed class HelpRequestedException : Exception;
