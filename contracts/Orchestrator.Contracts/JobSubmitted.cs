namespace Orchestrator.Contracts;

/// <summary>A user's job was stored by the Api and awaits scheduling.</summary>
/// <param name="JobId">The correlation id every later message of this job carries.</param>
/// <param name="JobNumber">The small integer users see and type (<c>/download/{number}</c>).</param>
/// <param name="Directory">Absolute path of the job's working directory on shared storage.</param>
/// <param name="TimeoutSeconds">The job's own time limit; null for the service's default. Bounded by the service's maximum.</param>
/// <param name="Environment">Variables the job's script sees, besides the runner's own.</param>
public sealed record JobSubmitted(
    Guid JobId,
    long JobNumber,
    int UserId,
    string Service,
    string Directory,
    DateTimeOffset SubmittedAt,
    int? TimeoutSeconds = null,
    IReadOnlyDictionary<string, string>? Environment = null);
