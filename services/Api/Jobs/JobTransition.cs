namespace Orchestrator.Api.Jobs;

public sealed record JobTransition(string State, DateTimeOffset At);
