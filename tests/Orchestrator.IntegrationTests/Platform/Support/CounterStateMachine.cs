using MassTransit;
using Orchestrator.IntegrationTests.Platform.Support.Messages;

namespace Orchestrator.IntegrationTests.Platform.Support;

/// <summary>Counting → (finalized, row deleted). An increment may also create the counter, so creations can race.</summary>
public sealed class CounterStateMachine : MassTransitStateMachine<CounterSaga>
{
    public CounterStateMachine()
    {
        InstanceState(x => x.CurrentState);

        Event(() => Opened, e => e.CorrelateById(c => c.Message.CounterId));
        Event(() => Incremented, e => e.CorrelateById(c => c.Message.CounterId));
        Event(() => Closed, e =>
        {
            e.CorrelateById(c => c.Message.CounterId);
            e.OnMissingInstance(m => m.Discard());
        });
        Event(() => Broken, e =>
        {
            e.CorrelateById(c => c.Message.CounterId);
            e.OnMissingInstance(m => m.Discard());
        });

        Initially(
            When(Opened)
                .Then(c => c.Saga.Label = c.Message.Label)
                .TransitionTo(Counting),
            When(Incremented)
                .Then(c => c.Saga.Count = 1)
                .TransitionTo(Counting));

        During(Counting,
            Ignore(Opened),
            When(Incremented)
                .Then(c => c.Saga.Count++),
            When(Closed)
                .Publish(c => new CounterClosed(c.Saga.CorrelationId, c.Saga.Label, c.Saga.Count))
                .Finalize(),
            When(Broken)
                .Then(c => c.Saga.Count = -1)
                .Publish(c => new CounterClosed(c.Saga.CorrelationId, "broken", c.Saga.Count))
                .Then(_ => throw new InvalidOperationException("Simulated failure after the saga changed and published")));

        SetCompletedWhenFinalized();
    }

    public State Counting { get; private set; } = null!;

    public Event<OpenCounter> Opened { get; private set; } = null!;

    public Event<IncrementCounter> Incremented { get; private set; } = null!;

    public Event<CloseCounter> Closed { get; private set; } = null!;

    public Event<BreakCounter> Broken { get; private set; } = null!;
}
