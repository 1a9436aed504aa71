using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Orchestrator.Platform.Hosting;

/// <summary>
/// <c>/health</c> answers like the WeNMR orchestrator (<c>{"status":"ok","database":"ok"}</c>, 503 when a check
/// fails) and adds the state of the bus; <c>/health/live</c> only says the process runs.
/// </summary>
public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapServiceHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health", new HealthCheckOptions
        {
            ResponseWriter = WriteAsync,
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status503ServiceUnavailable,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        });
        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        return endpoints;
    }

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
