namespace Orchestrator.Api.OpenApi;

/// <summary>
/// The OpenAPI document at <c>/openapi/v1.json</c> and the interactive Swagger UI at <c>/swagger</c>, both served
/// by the Api itself (no build step, no CDN).
/// </summary>
public static class OpenApiRegistration
{
    public const string DocumentPath = "/openapi/v1.json";

    public static WebApplicationBuilder AddApiDocumentation(this WebApplicationBuilder builder)
    {
        builder.Services.AddOpenApi("v1", options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Orchestrator API";
                document.Info.Description =
                    "Job submission and results for research computing: the WeNMR-compatible endpoints and the versioned v1 "
                    + "JSON API. Every error is an RFC 9457 ProblemDetails (application/problem+json).";
                return Task.CompletedTask;
            });
            options.AddOperationTransformer<DocumentedOperationTransformer>();
        });
        return builder;
    }

    public static WebApplication MapApiDocumentation(this WebApplication app)
    {
        app.MapOpenApi();
        app.UseSwaggerUI(options =>
        {
            options.RoutePrefix = "swagger";
            options.SwaggerEndpoint(DocumentPath, "Orchestrator API v1");
            options.DocumentTitle = "Orchestrator API";
        });
        return app;
    }
}
