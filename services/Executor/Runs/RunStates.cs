namespace Orchestrator.Executor.Runs;

public static class RunStates
{
    public const string Accepted = "Accepted";
    public const string Running = "Running";
    public const string Finished = "Finished";
}
