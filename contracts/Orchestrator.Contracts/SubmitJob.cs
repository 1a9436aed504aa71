namespace Orchestrator.Contracts;

/// <summary>
/// Request to the Api (queue <see cref="Queue"/>): submit a job. Answered with <see cref="JobAccepted"/> or
/// <see cref="JobRejected"/>; the job's progress then follows as <see cref="JobStateChanged"/> events.
/// </summary>
/// <param name="ClientJobId">The sender's id for the job; a repeat with the same id and request is accepted as the same job.</param>
/// <param name="Files">The job's files, <c>run.sh</c> among them.</param>
public sealed record SubmitJob(
    string Service,
    int UserId,
    IReadOnlyList<SubmitJobFile> Files,
    string? ClientJobId = null,
    IReadOnlyDictionary<string, string>? Environment = null,
    int? TimeoutSeconds = null)
{
    public const string Queue = "job-submissions";
}
