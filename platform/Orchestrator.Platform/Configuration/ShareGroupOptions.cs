namespace Orchestrator.Platform.Configuration;

/// <summary>A group of users with one fair-share weight (<c>Orchestrator:Services:{name}:Groups:{group}</c>).</summary>
public sealed class ShareGroupOptions
{
    public double Share { get; set; } = 1;

    public List<int> Users { get; set; } = [];
}
