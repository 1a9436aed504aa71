namespace Orchestrator.Agent.Payloads;

/// <summary>The payload states of the WeNMR job-orchestrator's client, spelled as it spells them.</summary>
public static class PayloadStatuses
{
    public const string Prepared = "Prepared";
    public const string Running = "Running";
    public const string Completed = "Completed";
    public const string Failed = "Failed";
    public const string Killed = "Killed";
    public const string Cleaned = "Cleaned";

    public static bool IsFinal(string status) => status is Completed or Failed or Killed or Cleaned;
}
