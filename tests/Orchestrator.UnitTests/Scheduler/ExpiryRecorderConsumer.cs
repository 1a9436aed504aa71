using MassTransit;
using Orchestrator.Contracts;

namespace Orchestrator.UnitTests.Scheduler;

public sealed class ExpiryRecorderConsumer(ExpiryRecorder recorder) : IConsumer<ExpireJobResults>
{
    public Task Consume(ConsumeContext<ExpireJobResults> context)
    {
        recorder.Record(context.Message);
        return Task.CompletedTask;
    }
}
