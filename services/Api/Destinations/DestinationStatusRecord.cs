using Orchestrator.Contracts;

namespace Orchestrator.Api.Destinations;

/// <summary>The latest <see cref="DestinationStatusReported"/> of one executor instance (<c>api.destination_statuses</c>).</summary>
public sealed class DestinationStatusRecord
{
    public required string Destination { get; set; }

    public required string Instance { get; set; }

    public required string Kind { get; set; }

    public int Slots { get; set; }

    public int SlotsInUse { get; set; }

    public bool Healthy { get; set; }

    public List<AgentStatusReport> Agents { get; set; } = [];

    public DateTimeOffset ReportedAt { get; set; }
}
