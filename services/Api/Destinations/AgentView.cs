namespace Orchestrator.Api.Destinations;

/// <summary>A jobd agent in <c>GET /destinations</c>; <see cref="Healthy"/> and <see cref="Load"/> are null until an executor has probed it.</summary>
public sealed record AgentView(string Url, bool Configured, bool? Healthy, double? Load, int InFlight, string? LastError);
