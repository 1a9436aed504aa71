using MassTransit;
using Orchestrator.Scheduler.StateMachines;

namespace Orchestrator.Scheduler.Dispatching;

/// <summary>
/// The queue the saga hands jobs to and takes slots back from. Every call joins the transaction of the message being
/// handled, so a job is queued, dispatched or released exactly when its saga's state says so.
/// </summary>
public interface IJobQueue
{
    Task EnqueueAsync(PipeContext context, JobLifecycleSaga job);

    /// <summary>Takes a job that has not been dispatched out of the queue; false when it was no longer queued.</summary>
    Task<bool> WithdrawAsync(PipeContext context, Guid jobId);

    /// <summary>Frees the job's quota slot; harmless when it holds none.</summary>
    Task ReleaseAsync(PipeContext context, Guid jobId);
}
