namespace Orchestrator.Contracts;

/// <summary>Command to a destination's executor queue: run the job's <c>run.sh</c>.</summary>
/// <param name="Attempt">Starts at 1; events of an older attempt are ignored by the scheduler.</param>
/// <param name="TimeoutSeconds">The run is killed and reported <see cref="RunOutcomes.TimedOut"/> after this long.</param>
public sealed record RunJob(
    Guid JobId,
    long JobNumber,
    int UserId,
    string Service,
    string Destination,
    string Directory,
    int Attempt,
    int? TimeoutSeconds = null,
    IReadOnlyDictionary<string, string>? Environment = null);
