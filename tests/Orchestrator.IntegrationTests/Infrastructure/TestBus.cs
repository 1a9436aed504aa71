using MassTransit;

namespace Orchestrator.IntegrationTests.Infrastructure;

/// <summary>A bus of the test's own on a system's virtual host, to inject messages as another service would.</summary>
public sealed class TestBus : IAsyncDisposable
{
    readonly IBusControl _bus;

    TestBus(IBusControl bus) => _bus = bus;

    public IBus Bus => _bus;

    public static async Task<TestBus> StartAsync(TestVirtualHost virtualHost, Action<IRabbitMqBusFactoryConfigurator>? configure = null)
    {
        var bus = MassTransit.Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host("127.0.0.1", (ushort)virtualHost.Port, virtualHost.Name, h =>
            {
                h.Username("guest");
                h.Password("guest");
            });
            configure?.Invoke(cfg);
        });
        await bus.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        return new TestBus(bus);
    }

    public Task PublishAsync<T>(T message) where T : class => _bus.Publish(message);

    public async ValueTask DisposeAsync() => await _bus.StopAsync();
}
