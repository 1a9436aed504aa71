namespace Orchestrator.Platform.Hosting;

/// <summary>The service's name and version as its telemetry reports them (<c>service.name</c>, <c>service.version</c>).</summary>
public sealed record ServiceIdentity(string Name, string Version);
