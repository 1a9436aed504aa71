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
}
