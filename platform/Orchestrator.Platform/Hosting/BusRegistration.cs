using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orchestrator.Contracts;
using Orchestrator.Platform.Configuration;
using Orchestrator.Platform.Messaging;
using Orchestrator.Platform.Persistence;

namespace Orchestrator.Platform.Hosting;

public static class BusRegistration
{
    /// <summary>
    /// MassTransit on RabbitMQ with what every service needs: redelivery with back-off for transient failures,
    /// the durable scheduler as the message scheduler, and endpoints named after their consumers.
    /// </summary>
    public static WebApplicationBuilder AddOrchestratorBus(
        this WebApplicationBuilder builder,
        Action<IBusRegistrationConfigurator> registerConsumers,
        Action<IBusRegistrationContext, IRabbitMqBusFactoryConfigurator>? configureEndpoints = null)
    {
        var rabbit = builder.Configuration.GetSection(RabbitMqOptions.Section).Get<RabbitMqOptions>() ?? new RabbitMqOptions();
        builder.Services.TryAddSingleton<OutboxSignal>();
        builder.Services.AddMassTransit(bus =>
        {
            bus.SetKebabCaseEndpointNameFormatter();
            registerConsumers(bus);
            bus.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(rabbit.Host, rabbit.Port, rabbit.VirtualHost, h =>
                {
                    h.Username(rabbit.Username);
                    h.Password(rabbit.Password);
                });
                cfg.UseMessageScheduler(QueueNames.Address(QueueNames.MessageScheduler));
                // MassTransit's meter (messages received, consumed, faulted, sent) stays silent without this.
                cfg.UseInstrumentation(serviceName: context.GetService<ServiceIdentity>()?.Name);
                // PostgreSQL away (a restart, a failover) is waited out for minutes rather than sending the message to
                // an error queue after seconds; every other failure gets a short exponential retry.
                cfg.UseMessageRetry(r =>
                {
                    r.Handle<Exception>(DatabaseFailures.IsUnavailable);
                    r.Interval(150, TimeSpan.FromSeconds(2));
                });
                cfg.UseMessageRetry(r =>
                {
                    r.Handle<Exception>(e => !DatabaseFailures.IsUnavailable(e));
                    r.Exponential(8, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(100));
                });
                configureEndpoints?.Invoke(context, cfg);
                cfg.ConfigureEndpoints(context);
            });
        });
        builder.Services.Configure<MassTransitHostOptions>(o =>
        {
            o.WaitUntilStarted = true;
            o.StartTimeout = TimeSpan.FromSeconds(60);
            o.StopTimeout = TimeSpan.FromSeconds(30);
        });
        return builder;
    }
}
