using MassTransit;

namespace Orchestrator.IntegrationTests.Platform.Support;

/// <summary>The smallest saga that can show lost updates: a counter every event increments.</summary>
public sealed class CounterSaga : SagaStateMachineInstance
{
    public Guid CorrelationId { get; set; }

    public string CurrentState { get; set; } = null!;

    public string? Label { get; set; }

    public int Count { get; set; }
}
