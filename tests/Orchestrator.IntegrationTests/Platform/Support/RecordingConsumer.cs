using MassTransit;

namespace Orchestrator.IntegrationTests.Platform.Support;

/// <summary>Writes every delivery of <typeparamref name="T"/> to the test's <see cref="MessageLog"/>.</summary>
public sealed class RecordingConsumer<T>(MessageLog log) : IConsumer<T>
    where T : class
{
    public Task Consume(ConsumeContext<T> context)
    {
        log.Add(new ReceivedMessage(
            context.Message,
            context.MessageId,
            context.CorrelationId,
            context.Headers.Get<string>(MessageHeaders.SchedulingTokenId),
            DateTime.UtcNow));
        return Task.CompletedTask;
    }
}
