namespace Orchestrator.Contracts;

/// <summary>Answer to <see cref="SubmitJob"/>: no job was made. <see cref="Status"/> is the HTTP status the v1 API would give.</summary>
public sealed record JobRejected(string? ClientJobId, int Status, string Title, string Detail);
