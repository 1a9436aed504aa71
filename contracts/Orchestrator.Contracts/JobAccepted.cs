namespace Orchestrator.Contracts;

/// <summary>Answer to <see cref="SubmitJob"/>: the job is stored and queued (or was already, for a repeat).</summary>
/// <param name="Id">The job's id in the v1 API: the client's id, or the number.</param>
/// <param name="Created">False when the request repeated an earlier one and this is that job.</param>
public sealed record JobAccepted(Guid JobId, long JobNumber, string Id, string State, bool Created, string? ClientJobId);
