using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Orchestrator.Platform.Hosting;

/// <summary>
/// <c>/health</c> and <c>/health/ready</c> answer like the WeNMR orchestrator (<c>{"status":"ok","database":"ok"}</c>,
/// 503 when PostgreSQL or the bus is not usable); <c>/health/live</c> only says the process runs; <c>/metrics</c>
/// serves Prometheus.
/// </summary>
public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapServiceEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health", Ready());
        endpoints.MapHealthChecks("/health/ready", Ready());
        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        endpoints.MapPrometheusScrapingEndpoint();
        return endpoints;
    }

    static HealthCheckOptions Ready() =>
        new()
        {
            ResponseWriter = WriteAsync,
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status503ServiceUnavailable,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        };

    static Task WriteAsync(HttpContext context, HealthReport report)
    {
        var body = new Dictionary<string, string>
        {
            ["status"] = report.Status == HealthStatus.Healthy ? "ok" : "error",
        };
        foreach (var (name, entry) in report.Entries)
            body[name] = entry.Status == HealthStatus.Healthy ? "ok" : entry.Description ?? entry.Status.ToString();
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }
}
