namespace Orchestrator.IntegrationTests.Platform;

/// <summary>
/// The platform tests run one at a time: several start hosts and time scheduled deliveries, which two cores
/// running them side by side would only make noisier.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PlatformCollection
{
    public const string Name = "Platform";
}
