using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestrator.Contracts;
using Orchestrator.Platform.Hosting;
using Orchestrator.Platform.Messaging;
using Orchestrator.Platform.Persistence;
using Orchestrator.Platform.Scheduling;

namespace Orchestrator.IntegrationTests.Platform.Support;

/// <summary>
/// An in-process service wired like the real ones (MassTransit on RabbitMQ, the durable scheduler as message
/// scheduler, retries, the outbox dispatcher started after the bus), on the test's database and virtual host.
/// </summary>
public sealed class PlatformTestHost : IAsyncDisposable
{
    readonly IHost _host;
    bool _stopped;

    PlatformTestHost(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public IBus Bus => Services.GetRequiredService<IBus>();

    public OutboxSignal Signal => Services.GetRequiredService<OutboxSignal>();

    public static async Task<PlatformTestHost> StartAsync(PlatformEnvironment environment, PlatformHostOptions options)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var services = builder.Services;
        services.AddSingleton(environment.Log);
        services.AddSingleton(environment.Consumed);
        services.AddSingleton(environment.Faults);
        services.AddMetrics();
        services.AddSingleton<OrchestratorMetrics>();
        services.AddServiceDatabase<PlatformTestDbContext>(environment.Database.ConnectionString, PlatformTestDbContext.Schema);
        services.Configure<OutboxOptions>(o => o.PollInterval = options.OutboxPollInterval);
        services.Configure<SchedulerOptions>(o => o.PollInterval = options.SchedulerPollInterval);
        services.AddConsumeObserver(_ => environment.Consumed);
        services.AddMassTransit(bus =>
        {
            options.Bus?.Invoke(bus);
            bus.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host("127.0.0.1", environment.VirtualHost.Name, h =>
                {
                    h.Username("guest");
                    h.Password("guest");
                });
                cfg.UseMessageScheduler(QueueNames.Address(QueueNames.MessageScheduler));
                cfg.UseMessageRetry(r => r.Interval(options.RetryLimit, TimeSpan.FromMilliseconds(50)));
                options.Endpoints?.Invoke(context, cfg);
                cfg.ConfigureEndpoints(context);
            });
        });

        // A publish before the bus has bound the consumers' queues would be dropped by the exchange.
        services.Configure<MassTransitHostOptions>(o =>
        {
            o.WaitUntilStarted = true;
            o.StartTimeout = TimeSpan.FromSeconds(60);
            o.StopTimeout = TimeSpan.FromSeconds(30);
        });
        if (options.OutboxDelivery)
            services.AddHostedService<OutboxDispatcher<PlatformTestDbContext>>();

        var host = builder.Build();
        try
        {
            await host.StartAsync();
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return new PlatformTestHost(host);
    }

    /// <summary>A dispatcher the test drives by hand, to see the outbox before and after a delivery.</summary>
    public OutboxDispatcher<PlatformTestDbContext> CreateOutboxDispatcher() =>
        ActivatorUtilities.CreateInstance<OutboxDispatcher<PlatformTestDbContext>>(Services);

    public ScheduledMessageDispatcher<PlatformTestDbContext> CreateScheduledMessageDispatcher() =>
        ActivatorUtilities.CreateInstance<ScheduledMessageDispatcher<PlatformTestDbContext>>(Services);

    public async Task StopAsync()
    {
        if (_stopped)
            return;
        _stopped = true;
        await _host.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            _host.Dispose();
        }
    }
}
