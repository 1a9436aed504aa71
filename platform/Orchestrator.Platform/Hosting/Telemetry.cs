using System.Reflection;
using MassTransit.Logging;
using MassTransit.Monitoring;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Orchestrator.Platform.Messaging;

namespace Orchestrator.Platform.Hosting;

/// <summary>
/// One OpenTelemetry set-up for every service: traces from ASP.NET Core, HttpClient, Npgsql, MassTransit and the
/// outbox; metrics on <c>/metrics</c> for Prometheus; both exported by OTLP when an endpoint is configured
/// (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, or <c>Telemetry:OtlpEndpoint</c>), as are the logs. Log lines carry the trace
/// and span ids and, through the span's baggage, the job id (<see cref="MessagingTelemetry.TagJob"/>).
/// </summary>
public static class Telemetry
{
    public static WebApplicationBuilder AddOrchestratorTelemetry(this WebApplicationBuilder builder, string serviceName)
    {
        var otlpEndpoint = builder.Configuration["Telemetry:OtlpEndpoint"];
        var exportOtlp = !string.IsNullOrWhiteSpace(otlpEndpoint)
            || !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var protocol = builder.Configuration["Telemetry:OtlpProtocol"];
        // A trace-only backend such as Jaeger refuses OTLP metrics and logs; Prometheus scrapes the metrics anyway.
        var exportMetrics = exportOtlp && builder.Configuration.GetValue("Telemetry:OtlpMetrics", true);
        var exportLogs = exportOtlp && builder.Configuration.GetValue("Telemetry:OtlpLogs", true);
        var version = Assembly.GetEntryAssembly()?.GetName().Version?.ToString() ?? "0.0.0";

        builder.Logging.Configure(o => o.ActivityTrackingOptions =
            ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.Baggage);
        builder.Logging.AddSimpleConsole(o =>
        {
            o.IncludeScopes = true;
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });

        builder.Services.AddSingleton(new ServiceIdentity(serviceName, version));
        builder.Services.AddSingleton<OrchestratorMetrics>();
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName, serviceNamespace: "orchestrator", serviceVersion: version))
            .WithTracing(tracing =>
            {
                tracing.AddSource(DiagnosticHeaders.DefaultListenerName)
                    .AddSource(MessagingTelemetry.SourceName)
                    .AddAspNetCoreInstrumentation(o => o.Filter = ctx =>
                        !ctx.Request.Path.StartsWithSegments("/health") && !ctx.Request.Path.StartsWithSegments("/metrics"))
                    .AddHttpClientInstrumentation();
                // A span per SQL command is a hundred spans per job: recorded only when someone receives them. The
                // message and request spans stay, since the logs take their trace ids and the job id from them.
                if (exportOtlp)
                    tracing.AddSource("Npgsql").AddOtlpExporter(o => Configure(o, otlpEndpoint, protocol, "v1/traces"));
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(InstrumentationOptions.MeterName)
                    .AddMeter(OrchestratorMetrics.MeterName)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddPrometheusExporter();
                if (exportMetrics)
                    metrics.AddOtlpExporter(o => Configure(o, otlpEndpoint, protocol, "v1/metrics"));
            });
        if (exportLogs)
        {
            builder.Logging.AddOpenTelemetry(logs =>
            {
                // Scopes hold the job id and MassTransit's message ids; without them a log record only has its trace.
                logs.IncludeScopes = true;
                logs.IncludeFormattedMessage = true;
                logs.AddOtlpExporter(o => Configure(o, otlpEndpoint, protocol, "v1/logs"));
            });
        }

        return builder;
    }

    static void Configure(OtlpExporterOptions options, string? endpoint, string? protocol, string signalPath)
    {
        if (!string.IsNullOrWhiteSpace(protocol))
            options.Protocol = ParseProtocol(protocol);

        // Without an explicit endpoint the exporter reads OTEL_EXPORTER_OTLP_ENDPOINT itself and adds the signal's
        // path for http/protobuf. An endpoint set in code is taken as it is, so the path is added here, or traces,
        // metrics and logs would all be posted to one URL.
        if (string.IsNullOrWhiteSpace(endpoint))
            return;
        options.Endpoint = options.Protocol == OtlpExportProtocol.HttpProtobuf
            ? new Uri(endpoint.TrimEnd('/') + "/" + signalPath)
            : new Uri(endpoint);
    }

    static OtlpExportProtocol ParseProtocol(string protocol) =>
        protocol.Trim().ToLowerInvariant() switch
        {
            "grpc" => OtlpExportProtocol.Grpc,
            "http/protobuf" or "http" => OtlpExportProtocol.HttpProtobuf,
            _ => throw new OptionsValidationException("Telemetry", typeof(OtlpExporterOptions),
                [$"Telemetry:OtlpProtocol must be 'grpc' or 'http/protobuf', not '{protocol}'."]),
        };
}
