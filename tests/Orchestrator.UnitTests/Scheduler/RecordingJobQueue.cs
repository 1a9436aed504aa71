using System.Collections.Concurrent;
using MassTransit;
using Orchestrator.Scheduler.Dispatching;
using Orchestrator.Scheduler.StateMachines;

namespace Orchestrator.UnitTests.Scheduler;

/// <summary>
/// Stands in for the Postgres job queue: notes what the saga enqueues, withdraws and releases. Nothing is dispatched
/// unless a test says so with <see cref="TakeForDispatch"/>, as the dispatcher would.
/// </summary>
public sealed class RecordingJobQueue : IJobQueue
{
    readonly ConcurrentQueue<QueuedJobSnapshot> _enqueued = new();
    readonly ConcurrentQueue<Guid> _released = new();
    readonly ConcurrentQueue<Guid> _withdrawn = new();
    readonly ConcurrentDictionary<Guid, bool> _waiting = new();

    public IReadOnlyList<QueuedJobSnapshot> Enqueued(Guid jobId) => _enqueued.Where(j => j.JobId == jobId).ToList();

    public int Released(Guid jobId) => _released.Count(id => id == jobId);

    public int Withdrawn(Guid jobId) => _withdrawn.Count(id => id == jobId);

    public bool IsWaiting(Guid jobId) => _waiting.ContainsKey(jobId);

    /// <summary>The dispatcher's move: the job leaves the queue for a slot, so it can no longer be withdrawn.</summary>
    public void TakeForDispatch(Guid jobId) => _waiting.TryRemove(jobId, out _);

    public Task EnqueueAsync(PipeContext context, JobLifecycleSaga job)
    {
        _enqueued.Enqueue(new QueuedJobSnapshot(job.CorrelationId, job.JobNumber, job.Service, job.UserId, job.Destination, job.Directory, job.Attempt));
        _waiting[job.CorrelationId] = true;
        return Task.CompletedTask;
    }

    public Task<bool> WithdrawAsync(PipeContext context, Guid jobId)
    {
        var withdrawn = _waiting.TryRemove(jobId, out _);
        if (withdrawn)
            _withdrawn.Enqueue(jobId);
        return Task.FromResult(withdrawn);
    }

    public Task ReleaseAsync(PipeContext context, Guid jobId)
    {
        _released.Enqueue(jobId);
        return Task.CompletedTask;
    }
}
