namespace Orchestrator.Contracts;

/// <summary>Scheduled command to the Janitor: the retention period of a finished job is over.</summary>
public sealed record ExpireJobResults(Guid JobId, long JobNumber, string Directory);
