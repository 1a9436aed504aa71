namespace Orchestrator.Contracts;

/// <summary>The states a job passes through, as shown by <c>GET /jobs/{id}</c>.</summary>
public static class JobStates
{
    public const string Submitted = "Submitted";
    public const string Queued = "Queued";
    public const string Dispatched = "Dispatched";
    public const string Running = "Running";

    /// <summary>A stop was requested at the destination; the job is Cancelled once the destination confirms.</summary>
    public const string Cancelling = "Cancelling";

    /// <summary>An attempt failed for infrastructure reasons; the next one is scheduled after a back-off.</summary>
    public const string RetryPending = "RetryPending";

    public const string Completed = "Completed";
    public const string Failed = "Failed";
    public const string Cancelled = "Cancelled";
    public const string TimedOut = "TimedOut";
    public const string Cleaned = "Cleaned";

    /// <summary>States after which the job's script will not run again.</summary>
    public static bool IsFinal(string state) => state is Completed or Failed or Cancelled or TimedOut or Cleaned;
}
