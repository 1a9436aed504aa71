using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Scheduler.Monitoring;

namespace Orchestrator.Scheduler.Endpoints;

/// <summary>
/// <c>GET /queue</c>: the dispatcher's view of the queue, for operators (the Scheduler's port is internal, as its
/// <c>/metrics</c> is). JSON by default; a plain-text table when the caller accepts <c>text/plain</c> and not JSON.
/// </summary>
public static class QueueEndpoints
{
    public static IEndpointRouteBuilder MapQueueEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/queue", GetQueueAsync).WithName("GetQueue");
        return app;
    }

    static async Task<Results<Ok<QueueOverview>, ContentHttpResult>> GetQueueAsync(
        HttpRequest request, QueueOverviewReader reader, CancellationToken cancellationToken)
    {
        var overview = await reader.ReadAsync(cancellationToken);
        var accept = request.GetTypedHeaders().Accept;
        var wantsText = accept.Any(a => a.MediaType.Equals("text/plain", StringComparison.OrdinalIgnoreCase))
            && !accept.Any(a => a.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase));
        return wantsText
            ? TypedResults.Text(QueueOverviewText.Render(overview), "text/plain; charset=utf-8")
            : TypedResults.Ok(overview);
    }
}
