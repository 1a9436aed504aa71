using System.Collections.Concurrent;
using System.IO.Compression;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Orchestrator.IntegrationTests.Observability;

/// <summary>
/// A small OTLP/HTTP endpoint on loopback, like a collector would be: it keeps the spans posted to
/// <c>/v1/traces</c> (application/x-protobuf) and accepts metrics and logs without reading them. Point services at it
/// with <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> and <c>OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf</c>.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    readonly WebApplication _app;
    readonly ConcurrentQueue<ReceivedSpan> _spans = new();
    readonly ConcurrentQueue<string> _errors = new();

    OtlpReceiver(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    public IReadOnlyList<ReceivedSpan> Spans => _spans.ToArray();

    /// <summary>Requests it could not decode; a test that finds no spans shows these.</summary>
    public IReadOnlyList<string> Errors => _errors.ToArray();

    /// <summary>The settings that make a service export to this receiver, quickly, in environment form.</summary>
    public IReadOnlyDictionary<string, string> ExporterSettings => new Dictionary<string, string>
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = BaseAddress.ToString().TrimEnd('/'),
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        // Batches leave every 200 ms instead of every 5 s, metrics every second instead of every minute.
        ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",
        ["OTEL_BLRP_SCHEDULE_DELAY"] = "200",
    };

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/traces", receiver.ReceiveTracesAsync);
        app.MapPost("/v1/metrics", Accept);
        app.MapPost("/v1/logs", Accept);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        receiver.BaseAddress = new Uri(address);
        return receiver;
    }

    async Task<IResult> ReceiveTracesAsync(HttpRequest request)
    {
        if (request.ContentType?.StartsWith("application/x-protobuf", StringComparison.OrdinalIgnoreCase) != true)
            return Results.StatusCode(StatusCodes.Status415UnsupportedMediaType);
        var body = await ReadBodyAsync(request);
        try
        {
            foreach (var span in OtlpTraceDecoder.Decode(body))
                _spans.Enqueue(span);
        }
        catch (FormatException ex)
        {
            _errors.Enqueue(ex.Message);
            return Results.BadRequest();
        }

        // An empty ExportTraceServiceResponse: everything accepted.
        return Results.Bytes([], "application/x-protobuf");
    }

    static async Task<IResult> Accept(HttpRequest request)
    {
        await request.Body.CopyToAsync(Stream.Null);
        return Results.Bytes([], "application/x-protobuf");
    }

    static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        var source = string.Equals(request.Headers.ContentEncoding, "gzip", StringComparison.OrdinalIgnoreCase)
            ? new GZipStream(request.Body, CompressionMode.Decompress)
            : request.Body;
        using var buffer = new MemoryStream();
        await source.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
