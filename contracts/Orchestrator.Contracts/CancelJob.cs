namespace Orchestrator.Contracts;

/// <summary>
/// Command to the scheduler (queue <see cref="QueueNames.JobLifecycle"/>): cancel the job. A queued job leaves the
/// queue at once; a running one is stopped at its destination and is Cancelled once the destination confirms.
/// </summary>
public sealed record CancelJob(Guid JobId, string? Reason = null);
