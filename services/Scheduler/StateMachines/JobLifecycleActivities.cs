using MassTransit;
using Orchestrator.Contracts;

namespace Orchestrator.Scheduler.StateMachines;

/// <summary>Activities the lifecycle repeats at several transitions.</summary>
public static class JobLifecycleActivities
{
    /// <summary>Publishes <see cref="JobStateChanged"/> for the state the job enters.</summary>
    public static EventActivityBinder<JobLifecycleSaga, T> Announce<T>(this EventActivityBinder<JobLifecycleSaga, T> binder, string state)
        where T : class =>
        binder
            .Then(c => c.Saga.Sequence++)
            .Publish(c => c.Saga.Announcement(state));

    /// <summary>
    /// A run's end can overtake its start (a start that failed once is retried behind it): readers are still told the
    /// run ran, dated at its end, before they hear how it ended. A run that never started is not announced running.
    /// </summary>
    public static EventActivityBinder<JobLifecycleSaga, JobFinished> AnnounceOvertakenStart(this EventActivityBinder<JobLifecycleSaga, JobFinished> binder) =>
        binder.If(c => c.Saga.CurrentState != nameof(JobLifecycleStateMachine.Running) && c.Message.Outcome != RunOutcomes.NotStarted,
            overtaken => overtaken
                .Then(c =>
                {
                    c.Saga.DispatchedAt ??= c.Message.FinishedAt;
                    c.Saga.StartedAt = c.Message.FinishedAt;
                })
                .Announce(JobStates.Running));

    /// <summary>Schedules the Janitor's expiry of the results, durably, in the saga's own transaction.</summary>
    public static EventActivityBinder<JobLifecycleSaga, T> ScheduleRetention<T>(this EventActivityBinder<JobLifecycleSaga, T> binder, TimeSpan retention)
        where T : class =>
        binder.ThenAsync(async c =>
        {
            var scheduled = await c.ScheduleSend(
                QueueNames.Address(QueueNames.Janitor),
                DateTime.UtcNow + retention,
                new ExpireJobResults(c.Saga.CorrelationId, c.Saga.JobNumber, c.Saga.Directory));
            c.Saga.RetentionTokenId = scheduled.TokenId;
        });

    /// <summary>
    /// Sends a timer back to the saga's own queue, durably and in the saga's transaction; <paramref name="keep"/> stores
    /// its token, so that a timer no longer needed can be cancelled instead of arriving later only to be ignored.
    /// </summary>
    public static EventActivityBinder<JobLifecycleSaga, T> ScheduleTimer<T, TTimer>(
        this EventActivityBinder<JobLifecycleSaga, T> binder, Func<JobLifecycleSaga, TimeSpan> delay, Func<JobLifecycleSaga, TTimer> timer,
        Action<JobLifecycleSaga, Guid>? keep = null)
        where T : class
        where TTimer : class =>
        binder.ThenAsync(async c =>
        {
            var scheduled = await c.ScheduleSend(QueueNames.Address(QueueNames.JobLifecycle), DateTime.UtcNow + delay(c.Saga), timer(c.Saga));
            keep?.Invoke(c.Saga, scheduled.TokenId);
        });

    /// <summary>Cancels the current attempt's queue-wait warning: the attempt has left the queue.</summary>
    public static EventActivityBinder<JobLifecycleSaga, T> StopQueueWatch<T>(this EventActivityBinder<JobLifecycleSaga, T> binder)
        where T : class =>
        binder.ThenAsync(async c =>
        {
            await CancelTimerAsync(c, c.Saga.QueueWaitTokenId);
            c.Saga.QueueWaitTokenId = null;
        });

    static async Task CancelTimerAsync(BehaviorContext<JobLifecycleSaga> context, Guid? token)
    {
        if (token is { } scheduled)
            await context.GetPayload<MessageSchedulerContext>().CancelScheduledSend(QueueNames.Address(QueueNames.JobLifecycle), scheduled, context.CancellationToken);
    }

    /// <summary>Queues the next attempt and starts watching how long it waits.</summary>
    public static EventActivityBinder<JobLifecycleSaga, T> Enqueue<T>(
        this EventActivityBinder<JobLifecycleSaga, T> binder, Dispatching.IJobQueue queue, Platform.Configuration.OrchestratorOptions settings)
        where T : class =>
        binder
            .Then(c =>
            {
                c.Saga.Attempt++;
                c.Saga.QueuedAt = DateTimeOffset.UtcNow;
                c.Saga.DispatchedAt = null;
            })
            .ThenAsync(c => queue.EnqueueAsync(c, c.Saga))
            .Announce(JobStates.Queued)
            .ScheduleTimer(s => s.QueueWaitWarning(settings), s => new Timers.QueueWaitLimitReached(s.CorrelationId, s.Attempt),
                (s, token) => s.QueueWaitTokenId = token);

    /// <summary>
    /// Gives the job's quota slot back, in the transaction of the state change that ends its run, and cancels the timers
    /// that watched the attempt: each would otherwise come back later as one more message for nothing.
    /// </summary>
    public static EventActivityBinder<JobLifecycleSaga, T> Release<T>(this EventActivityBinder<JobLifecycleSaga, T> binder, Dispatching.IJobQueue queue)
        where T : class =>
        binder
            .ThenAsync(c => queue.ReleaseAsync(c, c.Saga.CorrelationId))
            .StopQueueWatch()
            .ThenAsync(async c =>
            {
                await CancelTimerAsync(c, c.Saga.DeadlineTokenId);
                c.Saga.DeadlineTokenId = null;
            });

    /// <summary>Records the run's end, releases its slot, announces the final state and schedules the retention.</summary>
    public static EventActivityBinder<JobLifecycleSaga, JobFinished> Finish(
        this EventActivityBinder<JobLifecycleSaga, JobFinished> binder, Dispatching.IJobQueue queue, string state, Platform.Configuration.OrchestratorOptions settings) =>
        binder
            .Then(c => c.Saga.Finish(c.Message))
            .Release(queue)
            .Announce(state)
            .ScheduleRetention(settings.Retention);

    /// <summary>The scheduler's own watch over a dispatched run: the time limit plus a grace for the report.</summary>
    public static EventActivityBinder<JobLifecycleSaga, T> ScheduleDeadline<T>(
        this EventActivityBinder<JobLifecycleSaga, T> binder, Platform.Configuration.OrchestratorOptions settings)
        where T : class =>
        binder.ScheduleTimer(
            s => TimeSpan.FromSeconds(s.TimeoutSeconds) + settings.RunDeadlineGrace,
            s => new Timers.RunDeadlinePassed(s.CorrelationId, s.Attempt),
            (s, token) => s.DeadlineTokenId = token);
}
