namespace Orchestrator.Contracts;

/// <summary>A user's job was stored by the Api and awaits scheduling.</summary>
/// <param name="JobId">The correlation id every later message of this job carries.</param>
/// <param name="JobNumber">The small integer users see and type (<c>/download/{number}</c>).</param>
/// <param name="Directory">Absolute path of the job's working directory on shared storage.</param>
public sealed record JobSubmitted(
    Guid JobId,
    long JobNumber,
    int UserId,
    string Service,
    string Directory,
    DateTimeOffset SubmittedAt);
