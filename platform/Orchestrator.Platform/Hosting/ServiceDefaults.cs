using MassTransit.Logging;
using MassTransit.Monitoring;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Orchestrator.Platform.Configuration;
using Orchestrator.Platform.Messaging;

namespace Orchestrator.Platform.Hosting;

/// <summary>What every Orchestrator service sets up the same way: configuration, telemetry, health, problems.</summary>
public static class ServiceDefaults
{
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder, string serviceName)
    {
        builder.AddSharedSettings();

        builder.Services.AddOptions<OrchestratorOptions>()
            .Bind(builder.Configuration.GetSection(OrchestratorOptions.Section))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<OrchestratorOptions>, OrchestratorOptionsValidator>();
        builder.Services.AddOptions<RabbitMqOptions>().Bind(builder.Configuration.GetSection(RabbitMqOptions.Section));
        builder.Services.AddOptions<OutboxOptions>().Bind(builder.Configuration.GetSection("Outbox"));
        builder.Services.AddOptions<Scheduling.SchedulerOptions>().Bind(builder.Configuration.GetSection("MessageScheduler"));

        builder.Services.AddProblemDetails();
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
        builder.AddTelemetry(serviceName);
        return builder;
    }

    /// <summary>
    /// Loads <c>orchestrator.json</c>, the settings all services share, beneath the service's own appsettings and
    /// environment variables, so one file holds the services, destinations and connection strings.
    /// </summary>
    static void AddSharedSettings(this WebApplicationBuilder builder)
    {
        var shared = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("orchestrator.json", optional: true)
            .Build();
        builder.Configuration.Sources.Insert(0, new ChainedConfigurationSource { Configuration = shared });
    }

    static void AddTelemetry(this WebApplicationBuilder builder, string serviceName)
    {
        var otlpEndpoint = builder.Configuration["Telemetry:OtlpEndpoint"];
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithTracing(tracing =>
            {
                tracing.AddSource(DiagnosticHeaders.DefaultListenerName)
                    .AddSource(MessagingTelemetry.SourceName)
                    .AddSource("Npgsql")
                    .AddAspNetCoreInstrumentation(o => o.Filter = ctx => !ctx.Request.Path.StartsWithSegments("/health"))
                    .AddHttpClientInstrumentation();
                if (!string.IsNullOrWhiteSpace(otlpEndpoint))
                    tracing.AddOtlpExporter(o => o.Endpoint = new Uri(otlpEndpoint));
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(InstrumentationOptions.MeterName)
                    .AddAspNetCoreInstrumentation()
                    .AddRuntimeInstrumentation();
                if (!string.IsNullOrWhiteSpace(otlpEndpoint))
                    metrics.AddOtlpExporter(o => o.Endpoint = new Uri(otlpEndpoint));
            });
        _ = telemetry;
    }
}
