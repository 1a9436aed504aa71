namespace Orchestrator.Api.Jobs;

/// <summary>The job a submission refers to; <see cref="Created"/> is false when it repeated an earlier one.</summary>
public sealed record SubmissionResult(JobRecord Job, bool Created);
