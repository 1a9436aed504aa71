namespace Orchestrator.Contracts;

/// <summary>Command to a destination's executor queue: run the job's <c>run.sh</c>.</summary>
/// <param name="Attempt">Starts at 1; events of an older attempt are ignored by the scheduler.</param>
public sealed record RunJob(
    Guid JobId,
    long JobNumber,
    int UserId,
    string Service,
    string Destination,
    string Directory,
    int Attempt);
