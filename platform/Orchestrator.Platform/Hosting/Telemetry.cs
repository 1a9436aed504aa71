using System.Reflection;
using MassTransit.Logging;
using MassTransit.Monitoring;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Orchestrator.Platform.Messaging;

namespace Orchestrator.Platform.Hosting;

/// <summary>
/// One OpenTelemetry set-up for every service: traces from ASP.NET Core, HttpClient, Npgsql, MassTransit and the
/// outbox; metrics on <c>/metrics</c> for Prometheus; both exported by OTLP when an endpoint is configured
/// (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, or <c>Telemetry:OtlpEndpoint</c>).
/// </summary>
public static class Telemetry
{
    public static WebApplicationBuilder AddOrchestratorTelemetry(this WebApplicationBuilder builder, string serviceName)
    {
        var otlpEndpoint = builder.Configuration["Telemetry:OtlpEndpoint"];
        var exportOtlp = !string.IsNullOrWhiteSpace(otlpEndpoint)
            || !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var version = Assembly.GetEntryAssembly()?.GetName().Version?.ToString() ?? "0.0.0";

        builder.Logging.Configure(o => o.ActivityTrackingOptions =
            ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        builder.Logging.AddSimpleConsole(o =>
        {
            o.IncludeScopes = true;
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });

        builder.Services.AddSingleton<OrchestratorMetrics>();
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName, serviceVersion: version))
            .WithTracing(tracing =>
            {
                tracing.AddSource(DiagnosticHeaders.DefaultListenerName)
                    .AddSource(MessagingTelemetry.SourceName)
                    .AddSource("Npgsql")
                    .AddAspNetCoreInstrumentation(o => o.Filter = ctx =>
                        !ctx.Request.Path.StartsWithSegments("/health") && !ctx.Request.Path.StartsWithSegments("/metrics"))
                    .AddHttpClientInstrumentation();
                if (exportOtlp)
                    tracing.AddOtlpExporter(o => Configure(o, otlpEndpoint));
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(InstrumentationOptions.MeterName)
                    .AddMeter(OrchestratorMetrics.MeterName)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddPrometheusExporter();
                if (exportOtlp)
                    metrics.AddOtlpExporter(o => Configure(o, otlpEndpoint));
            });
        if (exportOtlp)
            builder.Logging.AddOpenTelemetry(logs => logs.AddOtlpExporter(o => Configure(o, otlpEndpoint)));
        return builder;
    }

    static void Configure(OpenTelemetry.Exporter.OtlpExporterOptions options, string? endpoint)
    {
        // Without an explicit endpoint the exporter reads OTEL_EXPORTER_OTLP_ENDPOINT itself.
        if (!string.IsNullOrWhiteSpace(endpoint))
            options.Endpoint = new Uri(endpoint);
    }
}
