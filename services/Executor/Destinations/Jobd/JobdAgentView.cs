namespace Orchestrator.Executor.Destinations.Jobd;

/// <summary>A copy of an agent's state, for choosing and for the destination's status report.</summary>
public sealed record JobdAgentView(Uri BaseAddress, bool Configured, bool? Healthy, double? Load, int InFlight, DateTimeOffset? DownSince, string? LastError);
