namespace Orchestrator.Platform.Configuration;

/// <summary>One place jobs run (<c>Orchestrator:Destinations:{name}</c>).</summary>
public sealed class DestinationOptions
{
    public static readonly string[] Kinds = ["local", "slurm"];

    /// <summary>Which executor adapter runs it: <c>local</c> (a child process on the executor's machine),
    /// <c>slurm</c> (a batch job on a Slurm cluster).</summary>
    public string Kind { get; set; } = "local";

    /// <summary>Jobs dispatched to it at once, all services together (default 100; 0 pauses dispatch to it).</summary>
    public int Capacity { get; set; } = 100;
}
