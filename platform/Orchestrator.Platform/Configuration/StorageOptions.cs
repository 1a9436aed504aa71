namespace Orchestrator.Platform.Configuration;

/// <summary><c>Orchestrator:Storage</c>: the file system the Api, the executors and the Janitor share.</summary>
public sealed class StorageOptions
{
    /// <summary>Each job gets a directory below this one (default <c>/var/lib/orchestrator/jobs</c>).</summary>
    public string JobsRoot { get; set; } = "/var/lib/orchestrator/jobs";
}
