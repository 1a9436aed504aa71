using MassTransit;

namespace Orchestrator.IntegrationTests.Platform.Support;

/// <summary>What a <see cref="PlatformTestHost"/> runs besides the bus, the DbContext and the outbox signal.</summary>
public sealed class PlatformHostOptions
{
    /// <summary>Consumers and other bus registrations; their endpoints come from <c>ConfigureEndpoints</c>.</summary>
    public Action<IBusRegistrationConfigurator>? Bus { get; set; }

    /// <summary>Explicit receive endpoints, such as a saga's with its repository.</summary>
    public Action<IBusRegistrationContext, IRabbitMqBusFactoryConfigurator>? Endpoints { get; set; }

    /// <summary>Runs the <c>OutboxDispatcher</c> as a hosted service; off to observe rows before delivery.</summary>
    public bool OutboxDelivery { get; set; } = true;

    public TimeSpan OutboxPollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan SchedulerPollInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>In-memory retries before a message faults; enough for creation races, short for deliberate failures.</summary>
    public int RetryLimit { get; set; } = 5;
}
