namespace Orchestrator.Contracts;

/// <summary>How a run ended, as reported in <see cref="JobFinished.Outcome"/>.</summary>
public static class RunOutcomes
{
    /// <summary>The script exited by itself; the exit code says whether it succeeded.</summary>
    public const string Exited = "Exited";

    /// <summary>The script could not be started (missing directory, destination refused it).</summary>
    public const string NotStarted = "NotStarted";

    /// <summary>The executor running it died; the run's fate is unknown, so it is not trusted.</summary>
    public const string Lost = "Lost";
}
