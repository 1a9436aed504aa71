namespace Orchestrator.Platform.Configuration;

/// <summary>One place jobs run (<c>Orchestrator:Destinations:{name}</c>).</summary>
public sealed class DestinationOptions
{
    public static readonly string[] Kinds = ["local", "jobd", "slurm", "dirac"];

    /// <summary>Which executor adapter runs it: <c>local</c> (a child process on the executor's machine), <c>jobd</c>
    /// (remote agents speaking the WeNMR client protocol), <c>slurm</c> (a batch job on a Slurm cluster), <c>dirac</c>
    /// (a DIRAC job through DiracX's HTTP API).</summary>
    public string Kind { get; set; } = "local";

    /// <summary>Jobs dispatched to it at once, all services together (default 100; 0 pauses dispatch to it).</summary>
    public int Capacity { get; set; } = 100;

    /// <summary>For kind <c>jobd</c>: the base URLs of its agents (<c>http://node1:9000</c>), at least one.</summary>
    public List<string> Agents { get; set; } = [];
}
