using MassTransit;
using Microsoft.Extensions.Options;
using Orchestrator.Contracts;
using Orchestrator.Platform.Configuration;
using Orchestrator.Scheduler.Dispatching;

namespace Orchestrator.Scheduler.StateMachines;

/// <summary>
/// One job's life: Submitted → Queued → Dispatched → Running → Completed | Failed → Cleaned. Events of an older
/// attempt, duplicates and events that arrive after the job moved on are ignored, so redelivery and reordering by the
/// broker cannot move a job backwards.
/// </summary>
public sealed class JobLifecycleStateMachine : MassTransitStateMachine<JobLifecycleSaga>
{
    public JobLifecycleStateMachine(IOptions<OrchestratorOptions> options, IJobQueue queue)
    {
        var settings = options.Value;
        InstanceState(x => x.CurrentState);

        Event(() => Submitted, e => e.CorrelateById(c => c.Message.JobId));
        Event(() => WasDispatched, e =>
        {
            e.CorrelateById(c => c.Message.JobId);
            e.OnMissingInstance(m => m.Discard());
        });
        Event(() => Started, e =>
        {
            e.CorrelateById(c => c.Message.JobId);
            e.OnMissingInstance(m => m.Discard());
        });
        Event(() => Finished, e =>
        {
            e.CorrelateById(c => c.Message.JobId);
            e.OnMissingInstance(m => m.Discard());
        });
        Event(() => ResultsCleaned, e =>
        {
            e.CorrelateById(c => c.Message.JobId);
            e.OnMissingInstance(m => m.Discard());
        });

        Initially(
            When(Submitted)
                .Then(c => c.Saga.Accept(c.Message))
                .IfElse(c => c.Saga.RouteTo(settings),
                    routed => routed
                        .Then(c => c.Saga.Attempt++)
                        .ThenAsync(c => queue.EnqueueAsync(c, c.Saga))
                        .Announce(JobStates.Queued)
                        .TransitionTo(Queued),
                    unroutable => unroutable
                        .Announce(JobStates.Queued)
                        .Then(c => c.Saga.FinishedAt = DateTimeOffset.UtcNow)
                        .Announce(JobStates.Failed)
                        .ScheduleRetention(settings.Retention)
                        .TransitionTo(Failed)));

        During(Queued,
            When(WasDispatched, c => c.Message.Attempt == c.Saga.Attempt)
                .Then(c => c.Saga.Dispatch(c.Message))
                .Announce(JobStates.Dispatched)
                .TransitionTo(Dispatched));

        // A start can overtake its dispatch notice when the broker redelivers; the start settles both.
        During(Queued, Dispatched,
            When(Started, c => c.Message.Attempt == c.Saga.Attempt)
                .Then(c => c.Saga.StartedAt = c.Message.StartedAt)
                .Announce(JobStates.Running)
                .TransitionTo(Running));

        During(Queued, Dispatched, Running,
            When(Finished, c => c.Message.Attempt == c.Saga.Attempt && c.Saga.Succeeded(c.Message))
                .Then(c => c.Saga.Finish(c.Message))
                .ThenAsync(c => queue.ReleaseAsync(c, c.Saga.CorrelationId))
                .Announce(JobStates.Completed)
                .ScheduleRetention(settings.Retention)
                .TransitionTo(Completed),
            When(Finished, c => c.Message.Attempt == c.Saga.Attempt && !c.Saga.Succeeded(c.Message))
                .Then(c => c.Saga.Finish(c.Message))
                .ThenAsync(c => queue.ReleaseAsync(c, c.Saga.CorrelationId))
                .Announce(JobStates.Failed)
                .ScheduleRetention(settings.Retention)
                .TransitionTo(Failed));

        During(Completed, Failed,
            When(ResultsCleaned)
                .Then(c => c.Saga.CleanedAt = c.Message.CleanedAt)
                .Announce(JobStates.Cleaned)
                .TransitionTo(Cleaned));

        During(Queued, Dispatched, Running, Ignore(Submitted));
        During(Completed, Failed, Cleaned, Ignore(Submitted));
        During(Dispatched, Running, Completed, Failed, Ignore(WasDispatched));
        During(Cleaned, Ignore(WasDispatched));
        During(Running, Completed, Failed, Cleaned, Ignore(Started));
        During(Completed, Failed, Cleaned, Ignore(Finished));
        During(Queued, Dispatched, Running, Cleaned, Ignore(ResultsCleaned));
    }

    public State Queued { get; private set; } = null!;

    public State Dispatched { get; private set; } = null!;

    public State Running { get; private set; } = null!;

    public State Completed { get; private set; } = null!;

    public State Failed { get; private set; } = null!;

    public State Cleaned { get; private set; } = null!;

    public Event<JobSubmitted> Submitted { get; private set; } = null!;

    public Event<JobDispatched> WasDispatched { get; private set; } = null!;

    public Event<JobStarted> Started { get; private set; } = null!;

    public Event<JobFinished> Finished { get; private set; } = null!;

    public Event<JobResultsCleaned> ResultsCleaned { get; private set; } = null!;
}
