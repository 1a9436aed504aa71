namespace Orchestrator.Api.Destinations;

/// <summary>One destination in <c>GET /destinations</c>.</summary>
/// <param name="InFlight">Jobs dispatched to it that have not ended (Dispatched, Running or Cancelling).</param>
/// <param name="Healthy">An executor serving it reported within <c>Api:DestinationStatusStaleAfter</c> and can run jobs.</param>
public sealed record DestinationView(
    string Name,
    string Kind,
    int Capacity,
    int InFlight,
    bool Healthy,
    IReadOnlyList<DestinationInstanceView> Instances,
    IReadOnlyList<AgentView>? Agents);
