namespace Orchestrator.Executor.Runs;

/// <summary>
/// Runs the jobs of this instance's destination. The saga never knows which kind it talks to: every runner turns its
/// destination's behaviour into the same <c>JobStarted</c>/<c>JobFinished</c> reports.
/// </summary>
public interface IRunner
{
    /// <summary>Starts an accepted run in the background; the run's slot is released when it ends.</summary>
    void Launch(RunRecord run);

    /// <summary>Takes back a run an earlier life of this instance left open.</summary>
    Task RecoverAsync(RunRecord run);

    /// <summary>Stops a run of this instance (outcome Cancelled or TimedOut); false when this instance does not run it.</summary>
    Task<bool> StopAsync(Guid jobId, int attempt, string outcome);
}
