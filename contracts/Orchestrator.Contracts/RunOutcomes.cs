namespace Orchestrator.Contracts;

/// <summary>How a run ended, as reported in <see cref="JobFinished.Outcome"/>.</summary>
public static class RunOutcomes
{
    /// <summary>The script exited by itself; the exit code says whether it succeeded.</summary>
    public const string Exited = "Exited";

    /// <summary>The script could not be started (missing directory, destination refused or unreachable).</summary>
    public const string NotStarted = "NotStarted";

    /// <summary>The executor running it died; the run's fate is unknown, so it is not trusted.</summary>
    public const string Lost = "Lost";

    /// <summary>The run was stopped on request (<see cref="StopRun"/>).</summary>
    public const string Cancelled = "Cancelled";

    /// <summary>The run was killed for exceeding its time limit.</summary>
    public const string TimedOut = "TimedOut";

    /// <summary>Failures of the infrastructure rather than of the script: the service's retry policy applies.</summary>
    public static bool IsInfrastructureFailure(string outcome) => outcome is NotStarted or Lost;
}
