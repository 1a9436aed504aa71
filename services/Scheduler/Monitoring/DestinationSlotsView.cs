namespace Orchestrator.Scheduler.Monitoring;

/// <summary>A destination's capacity and the slots its services hold there.</summary>
public sealed record DestinationSlotsView(string Destination, int Capacity, int InUse);
