using Orchestrator.Executor.Runs;

namespace Orchestrator.Executor.Destinations.Remote;

/// <summary>
/// A destination that runs jobs elsewhere (a Slurm cluster, a jobd agent, DIRAC): submit, poll status, fetch the
/// results into the job's directory, cancel. <see cref="RemoteRunner"/> turns these into the saga's events; an
/// adapter only speaks its destination's protocol. Throw <see cref="DestinationUnavailableException"/> when the
/// destination cannot be reached (the call is retried), anything else for a destination that answered wrongly.
/// </summary>
public interface IRemoteDestination
{
    /// <summary>Submits the run; returns the destination's id for it.</summary>
    Task<string> SubmitAsync(RunRecord run, CancellationToken cancellationToken);

    Task<RemoteRunStatus> GetStatusAsync(RunRecord run, CancellationToken cancellationToken);

    /// <summary>Copies what the run left at the destination into the job's directory.</summary>
    Task FetchResultsAsync(RunRecord run, CancellationToken cancellationToken);

    Task CancelAsync(RunRecord run, CancellationToken cancellationToken);

    /// <summary>
    /// The destination's id of a run the executor may have submitted just before it died, before the id was stored;
    /// null when the destination has none. Lets a restarted executor re-attach instead of reporting the run lost.
    /// Destinations that cannot look a run up keep this default.
    /// </summary>
    Task<string?> FindSubmittedAsync(RunRecord run, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
}
