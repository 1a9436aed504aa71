namespace Orchestrator.Api.Destinations;

/// <summary>An executor instance serving a destination, from its latest status report.</summary>
public sealed record DestinationInstanceView(string Instance, int Slots, int SlotsInUse, bool Healthy, bool Stale, DateTimeOffset ReportedAt);
