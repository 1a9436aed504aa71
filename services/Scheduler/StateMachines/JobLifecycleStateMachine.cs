using MassTransit;
using Microsoft.Extensions.Options;
using Orchestrator.Contracts;
using Orchestrator.Platform.Configuration;
using Orchestrator.Scheduler.Dispatching;
using Orchestrator.Scheduler.StateMachines.Timers;

namespace Orchestrator.Scheduler.StateMachines;

/// <summary>
/// One job's life: Submitted → Queued → Dispatched → Running → Completed | Failed | TimedOut | Cancelled → Cleaned,
/// with RetryPending between attempts that failed for the infrastructure's sake and Cancelling while a stop awaits
/// its destination's confirmation. The quota slot taken at dispatch is released in the same transaction as the final
/// state (or the retry), so exactly once. Events of another attempt, duplicates, and events that no longer apply
/// are ignored: redelivery and reordering by the broker cannot move a job backwards.
/// </summary>
public sealed class JobLifecycleStateMachine : MassTransitStateMachine<JobLifecycleSaga>
{
    public JobLifecycleStateMachine(IOptions<OrchestratorOptions> options, IJobQueue queue)
    {
        var settings = options.Value;
        InstanceState(x => x.CurrentState);
        OnUnhandledEvent(context => context.Ignore());

        Event(() => Submitted, e => e.CorrelateById(c => c.Message.JobId));
        Correlate(() => WasDispatched, m => m.JobId);
        Correlate(() => Started, m => m.JobId);
        Correlate(() => Finished, m => m.JobId);
        Correlate(() => ResultsCleaned, m => m.JobId);
        Correlate(() => CancelRequested, m => m.JobId);
        Correlate(() => DeadlinePassed, m => m.JobId);
        Correlate(() => RetryIsDue, m => m.JobId);
        Correlate(() => WaitedTooLong, m => m.JobId);

        Initially(
            When(Submitted)
                .Then(c => c.Saga.Accept(c.Message, settings))
                .IfElse(c => c.Saga.RouteTo(settings),
                    routed => routed.Enqueue(queue, settings).TransitionTo(Queued),
                    unroutable => unroutable
                        .Announce(JobStates.Queued)
                        .Then(c => c.Saga.FinishedAt = DateTimeOffset.UtcNow)
                        .Announce(JobStates.Failed)
                        .ScheduleRetention(settings.Retention)
                        .TransitionTo(Failed)));

        During(Queued,
            When(WasDispatched, c => c.Message.Attempt == c.Saga.Attempt)
                .Then(c => c.Saga.Dispatch(c.Message))
                .StopQueueWatch()
                .Announce(JobStates.Dispatched)
                .ScheduleDeadline(settings)
                .TransitionTo(Dispatched),
            When(WaitedTooLong, c => c.Message.Attempt == c.Saga.Attempt)
                .Publish(c => new JobQueueWaitExceeded(c.Saga.CorrelationId, c.Saga.JobNumber, c.Saga.Service, c.Saga.UserId, c.Saga.QueuedAt ?? c.Saga.SubmittedAt)),
            When(CancelRequested)
                .Then(c => c.Saga.CancelReason = c.Message.Reason ?? "Cancelled on request.")
                .IfElseAsync(c => queue.WithdrawAsync(c, c.Saga.CorrelationId),
                    withdrawn => withdrawn
                        .StopQueueWatch()
                        .Then(c => c.Saga.Abandon(c.Saga.CancelReason!))
                        .Announce(JobStates.Cancelled)
                        .ScheduleRetention(settings.Retention)
                        .TransitionTo(Cancelled),
                    // The dispatcher took it in the meantime: stop it where it is about to run.
                    alreadyDispatched => alreadyDispatched
                        .StopQueueWatch()
                        .Publish(c => c.Saga.StopRequest())
                        .ScheduleDeadline(settings)
                        .Announce(JobStates.Cancelling)
                        .TransitionTo(Cancelling)));

        // A start can overtake its dispatch notice when the broker redelivers; the start settles both.
        During(Queued, Dispatched,
            When(Started, c => c.Message.Attempt == c.Saga.Attempt)
                .If(c => c.Saga.DispatchedAt is null, overtaken => overtaken
                    .StopQueueWatch()
                    .ScheduleDeadline(settings)
                    .Then(c => c.Saga.DispatchedAt = c.Message.StartedAt))
                .Then(c => c.Saga.StartedAt = c.Message.StartedAt)
                .Announce(JobStates.Running)
                .TransitionTo(Running));

        During(Queued, Dispatched, Running,
            When(Finished, c => c.Message.Attempt == c.Saga.Attempt && c.Saga.Verdict(c.Message, settings) == RunVerdict.Completed)
                .AnnounceOvertakenStart()
                .Finish(queue, JobStates.Completed, settings).TransitionTo(Completed),
            When(Finished, c => c.Message.Attempt == c.Saga.Attempt && c.Saga.Verdict(c.Message, settings) == RunVerdict.Failed)
                .AnnounceOvertakenStart()
                .Finish(queue, JobStates.Failed, settings).TransitionTo(Failed),
            When(Finished, c => c.Message.Attempt == c.Saga.Attempt && c.Saga.Verdict(c.Message, settings) == RunVerdict.TimedOut)
                .AnnounceOvertakenStart()
                .Finish(queue, JobStates.TimedOut, settings).TransitionTo(TimedOut),
            When(Finished, c => c.Message.Attempt == c.Saga.Attempt && c.Saga.Verdict(c.Message, settings) == RunVerdict.Cancelled)
                .AnnounceOvertakenStart()
                .Finish(queue, JobStates.Cancelled, settings).TransitionTo(Cancelled),
            When(Finished, c => c.Message.Attempt == c.Saga.Attempt && c.Saga.Verdict(c.Message, settings) == RunVerdict.Retry)
                .AnnounceOvertakenStart()
                .Then(c => c.Saga.Finish(c.Message))
                .Release(queue)
                .Announce(JobStates.RetryPending)
                .ScheduleTimer(s => s.RetryDelay(settings), s => new RetryDue(s.CorrelationId, s.Attempt))
                .TransitionTo(RetryPending));

        During(Dispatched, Running,
            When(CancelRequested)
                .Then(c => c.Saga.CancelReason = c.Message.Reason ?? "Cancelled on request.")
                .Publish(c => c.Saga.StopRequest())
                .Announce(JobStates.Cancelling)
                .TransitionTo(Cancelling),
            // The destination never reported: take the slot back rather than hold it for ever.
            When(DeadlinePassed, c => c.Message.Attempt == c.Saga.Attempt)
                .Publish(c => c.Saga.StopRequest())
                .Then(c => c.Saga.Abandon($"No report from destination '{c.Saga.Destination}' within the job's limit of {c.Saga.TimeoutSeconds} s."))
                .Release(queue)
                .Announce(JobStates.TimedOut)
                .ScheduleRetention(settings.Retention)
                .TransitionTo(TimedOut));

        During(Cancelling,
            // A run that started after the stop was sent is stopped again.
            When(Started, c => c.Message.Attempt == c.Saga.Attempt)
                .Publish(c => c.Saga.StopRequest()),
            When(Finished, c => c.Message.Attempt == c.Saga.Attempt)
                .Then(c => c.Saga.Finish(c.Message with { Outcome = RunOutcomes.Cancelled }))
                .Release(queue)
                .Announce(JobStates.Cancelled)
                .ScheduleRetention(settings.Retention)
                .TransitionTo(Cancelled),
            When(DeadlinePassed, c => c.Message.Attempt == c.Saga.Attempt)
                .Then(c => c.Saga.Abandon($"Destination '{c.Saga.Destination}' never confirmed the stop."))
                .Release(queue)
                .Announce(JobStates.Cancelled)
                .ScheduleRetention(settings.Retention)
                .TransitionTo(Cancelled));

        During(RetryPending,
            When(RetryIsDue, c => c.Message.Attempt == c.Saga.Attempt)
                .Enqueue(queue, settings)
                .TransitionTo(Queued),
            When(CancelRequested)
                .Then(c => c.Saga.CancelReason = c.Message.Reason ?? "Cancelled on request.")
                .Then(c => c.Saga.Abandon(c.Saga.CancelReason!))
                .Announce(JobStates.Cancelled)
                .ScheduleRetention(settings.Retention)
                .TransitionTo(Cancelled));

        During(Completed, Failed, Cancelled, TimedOut,
            When(ResultsCleaned)
                .Then(c => c.Saga.CleanedAt = c.Message.CleanedAt)
                .Announce(JobStates.Cleaned)
                .TransitionTo(Cleaned));
    }

    void Correlate<T>(System.Linq.Expressions.Expression<Func<Event<T>>> @event, Func<T, Guid> jobId)
        where T : class =>
        Event(@event, e =>
        {
            e.CorrelateById(c => jobId(c.Message));
            e.OnMissingInstance(m => m.Discard());
        });

    public State Queued { get; private set; } = null!;

    public State Dispatched { get; private set; } = null!;

    public State Running { get; private set; } = null!;

    public State Cancelling { get; private set; } = null!;

    public State RetryPending { get; private set; } = null!;

    public State Completed { get; private set; } = null!;

    public State Failed { get; private set; } = null!;

    public State Cancelled { get; private set; } = null!;

    public State TimedOut { get; private set; } = null!;

    public State Cleaned { get; private set; } = null!;

    public Event<JobSubmitted> Submitted { get; private set; } = null!;

    public Event<JobDispatched> WasDispatched { get; private set; } = null!;

    public Event<JobStarted> Started { get; private set; } = null!;

    public Event<JobFinished> Finished { get; private set; } = null!;

    public Event<JobResultsCleaned> ResultsCleaned { get; private set; } = null!;

    public Event<CancelJob> CancelRequested { get; private set; } = null!;

    public Event<RunDeadlinePassed> DeadlinePassed { get; private set; } = null!;

    public Event<RetryDue> RetryIsDue { get; private set; } = null!;

    public Event<QueueWaitLimitReached> WaitedTooLong { get; private set; } = null!;
}
