namespace Orchestrator.Contracts;

/// <summary>The states a job passes through, as shown by <c>GET /jobs/{id}</c>.</summary>
public static class JobStates
{
    public const string Submitted = "Submitted";
    public const string Queued = "Queued";
    public const string Dispatched = "Dispatched";
    public const string Running = "Running";
    public const string Completed = "Completed";
    public const string Failed = "Failed";
    public const string Cleaned = "Cleaned";

    /// <summary>States after which the job's script will not run again.</summary>
    public static bool IsFinal(string state) => state is Completed or Failed or Cleaned;
}
