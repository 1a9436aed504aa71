namespace Orchestrator.Executor.Runs;

public static class RunStates
{
    public const string Accepted = "Accepted";
    public const string Running = "Running";
    public const string Finished = "Finished";

    /// <summary>
    /// Reported lost, but the destination that stopped answering may still run it (a network partition, not a dead
    /// machine): the executor keeps telling it to cancel until it confirms, then the run is <see cref="Finished"/>.
    /// </summary>
    public const string Abandoned = "Abandoned";
}
