namespace Orchestrator.Platform.Configuration;

/// <summary>One portal service (<c>Orchestrator:Services:{name}</c>).</summary>
public sealed class ServiceOptions
{
    /// <summary>The destination this service's jobs run on; must name an entry of <c>Orchestrator:Destinations</c>.</summary>
    public string Destination { get; set; } = "local";
}
