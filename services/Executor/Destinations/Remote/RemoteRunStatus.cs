namespace Orchestrator.Executor.Destinations.Remote;

/// <summary>What a destination says about a run; <see cref="Detail"/> keeps its own words (a Slurm state, say).</summary>
public sealed record RemoteRunStatus(RemoteRunState State, int? ExitCode = null, string? Detail = null)
{
    public bool IsFinal => State is not (RemoteRunState.Pending or RemoteRunState.Running);
}
