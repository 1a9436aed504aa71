namespace Orchestrator.Executor.Destinations.Remote;

public enum RemoteRunState
{
    /// <summary>Accepted by the destination, not running yet (Slurm PENDING, DIRAC Waiting...).</summary>
    Pending,
    Running,

    /// <summary>The script ended by itself; the exit code says how.</summary>
    Exited,

    /// <summary>The destination failed the run (node failure, out of memory...); the detail says why.</summary>
    Failed,
    Cancelled,
    TimedOut,

    /// <summary>The destination lost the run (its agent stopped answering); reported Lost, for the saga's retry policy.</summary>
    Lost,
}
