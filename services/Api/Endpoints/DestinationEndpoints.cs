using Orchestrator.Api.Destinations;

namespace Orchestrator.Api.Endpoints;

public static class DestinationEndpoints
{
    public static IEndpointRouteBuilder MapDestinationEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/destinations", async (DestinationDirectory directory, CancellationToken cancellationToken) =>
                TypedResults.Ok(new { destinations = await directory.ListAsync(cancellationToken) }))
            .WithName("Destinations")
            .WithSummary("Each destination: kind, capacity, jobs in flight, health, executor instances, and agents for jobd.");
        return app;
    }
}
