namespace Orchestrator.Executor.Destinations.Dirac;

/// <summary>A job's row from DiracX's <c>POST /api/jobs/search</c>: its major, minor and application status.</summary>
public sealed record DiracJobStatus(string Status, string? MinorStatus, string? ApplicationStatus);
