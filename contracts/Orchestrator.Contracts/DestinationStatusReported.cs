namespace Orchestrator.Contracts;

/// <summary>
/// Published by each executor instance every <c>Executor:StatusInterval</c>: how its destination looks from there.
/// The Api keeps the latest per instance for <c>GET /destinations</c>; a lost one is replaced by the next.
/// </summary>
/// <param name="Healthy">The instance can run jobs (for jobd: at least one agent answers).</param>
/// <param name="Agents">For jobd destinations, each agent as the instance sees it; empty otherwise.</param>
public sealed record DestinationStatusReported(
    string Destination,
    string Kind,
    string Instance,
    int Slots,
    int SlotsInUse,
    bool Healthy,
    IReadOnlyList<AgentStatusReport> Agents,
    DateTimeOffset ReportedAt);
