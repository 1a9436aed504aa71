using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Load;
using Orchestrator.Agent.Payloads;

namespace Orchestrator.Agent.Endpoints;

/// <summary>The client-mode protocol of the WeNMR job-orchestrator, which the jobd destination speaks.</summary>
public static class AgentEndpoints
{
    public static IEndpointRouteBuilder MapAgentEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/submit", SubmitAsync).DisableAntiforgery()
            .WithSummary("Multipart, one part per file; answers the payload {id, input, status, loc, pid, killed}.");
        app.MapGet("/retrieve/{id}", Retrieve)
            .WithSummary("The payload's directory as a zip when Completed, otherwise the payload JSON.");
        app.MapGet("/retrieve_partial/{id}", RetrievePartial)
            .WithSummary("The payload's directory as it is now, as a zip.");
        app.MapPost("/kill/{id}", KillAsync).DisableAntiforgery()
            .WithSummary("Stops the payload's processes; 200 empty.");
        app.MapGet("/load", (CpuLoadSampler load) => TypedResults.Json(load.Load))
            .WithSummary("CPU use of the machine in percent, a JSON number.");
        app.MapGet("/health", Health);
        app.MapGet("/", Health);
        return app;
    }

    static async Task<IResult> SubmitAsync(HttpContext http, PayloadSubmission submission, IOptions<AgentOptions> options, CancellationToken cancellationToken)
    {
        var sizeLimit = http.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeLimit is { IsReadOnly: false })
            sizeLimit.MaxRequestBodySize = options.Value.MaxUploadBytes + 1024 * 1024;
        try
        {
            var payload = await submission.SubmitAsync(http.Request, cancellationToken);
            return TypedResults.Json(PayloadView.From(payload));
        }
        catch (SubmitRejectedException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: ex.StatusCode, title: ex.Title);
        }
        catch (BadHttpRequestException ex)
        {
            return ex.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? TypedResults.Problem($"The files exceed Agent:MaxUploadBytes ({options.Value.MaxUploadBytes} bytes).", statusCode: 413, title: "Payload too large")
                : TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status400BadRequest, title: "Malformed multipart submit");
        }
    }

    static IResult Retrieve(string id, HttpContext http, PayloadStore store, CancellationToken cancellationToken)
    {
        if (Find(store, id) is not { } payload)
            return Unknown(id);
        return payload.Status == PayloadStatuses.Completed
            ? Zip(http, payload, cancellationToken)
            : TypedResults.Json(PayloadView.From(payload));
    }

    static IResult RetrievePartial(string id, HttpContext http, PayloadStore store, CancellationToken cancellationToken) =>
        Find(store, id) is { } payload ? Zip(http, payload, cancellationToken) : Unknown(id);

    static async Task<IResult> KillAsync(string id, PayloadKiller killer)
    {
        if (!uint.TryParse(id, out var number))
            return Unknown(id);
        return await killer.KillAsync(number) switch
        {
            null => Unknown(id),
            true => TypedResults.Ok(),
            false => TypedResults.Problem($"Payload {id} was signalled but its processes are still running.",
                statusCode: StatusCodes.Status500InternalServerError, title: "Kill failed"),
        };
    }

    static IResult Health(IOptions<AgentOptions> options) =>
        Directory.Exists(options.Value.StatePath)
            ? TypedResults.Json(new { status = "ok", database = "ok" })
            : TypedResults.Json(new { status = "unhealthy", database = "missing" }, statusCode: StatusCodes.Status503ServiceUnavailable);

    static IResult Zip(HttpContext http, PayloadRecord payload, CancellationToken cancellationToken)
    {
        // Deflate streams flush synchronously when an entry closes; the body is still streamed.
        var bodyControl = http.Features.Get<IHttpBodyControlFeature>();
        if (bodyControl is not null)
            bodyControl.AllowSynchronousIO = true;
        return TypedResults.Stream(stream => DirectoryArchive.WriteAsync(payload.Loc, stream, cancellationToken),
            contentType: "application/zip", fileDownloadName: $"payload-{payload.Id}.zip");
    }

    static PayloadRecord? Find(PayloadStore store, string id) => uint.TryParse(id, out var number) ? store.Find(number) : null;

    static IResult Unknown(string id) =>
        TypedResults.Problem($"There is no payload {id}.", statusCode: StatusCodes.Status404NotFound, title: "Unknown payload");
}
