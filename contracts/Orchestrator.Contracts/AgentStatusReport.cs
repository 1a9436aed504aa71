namespace Orchestrator.Contracts;

/// <summary>One jobd agent in a <see cref="DestinationStatusReported"/>.</summary>
/// <param name="Healthy">Null until the instance has probed it.</param>
/// <param name="Load">CPU use in percent from its <c>/load</c>.</param>
/// <param name="InFlight">Jobs of this instance on it that have not ended.</param>
public sealed record AgentStatusReport(string Url, bool? Healthy, double? Load, int InFlight, string? LastError);
