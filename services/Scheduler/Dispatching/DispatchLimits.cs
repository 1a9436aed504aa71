using Orchestrator.Platform.Configuration;

namespace Orchestrator.Scheduler.Dispatching;

/// <summary>The limits of every configured service and the capacity of every destination, as a pass applies them.</summary>
public sealed record DispatchLimits(IReadOnlyDictionary<string, ServiceQuota> Quotas, IReadOnlyDictionary<string, int> Capacity)
{
    public static DispatchLimits From(OrchestratorOptions settings) => new(
        settings.Services.ToDictionary(s => s.Key, s => new ServiceQuota(s.Value.Destination, s.Value.MaxRuns, s.Value.RunsPerUser)),
        settings.Destinations.ToDictionary(d => d.Key, d => d.Value.Capacity));
}
