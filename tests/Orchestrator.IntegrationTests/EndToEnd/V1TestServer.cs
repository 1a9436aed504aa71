using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Orchestrator.IntegrationTests.Infrastructure;

namespace Orchestrator.IntegrationTests.EndToEnd;

/// <summary>
/// A small HTTP server on 127.0.0.1 for the Api to talk to: it serves job inputs and receives callbacks. It can be
/// stopped and started again on the same port, to play a receiver that is down for a while.
/// </summary>
public sealed class V1TestServer : IAsyncDisposable
{
    readonly Func<HttpContext, byte[], Task> _handler;
    WebApplication? _app;

    public V1TestServer(Func<HttpContext, byte[], Task> handler, int? port = null)
    {
        _handler = handler;
        Port = port ?? ServiceProcess.FreePort();
    }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    /// <summary>Every request received, in order of arrival.</summary>
    public ConcurrentQueue<V1ReceivedRequest> Requests { get; } = new();

    public static async Task<V1TestServer> StartAsync(Func<HttpContext, byte[], Task> handler)
    {
        var server = new V1TestServer(handler);
        await server.StartAsync();
        return server;
    }

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(BaseAddress.ToString());
        var app = builder.Build();
        app.Run(async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            var bytes = body.ToArray();
            Requests.Enqueue(new V1ReceivedRequest(
                context.Request.Method,
                context.Request.Path + context.Request.QueryString,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                bytes));
            await _handler(context, bytes);
        });
        await app.StartAsync();
        _app = app;
    }

    public async Task StopAsync()
    {
        if (_app is null)
            return;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _app = null;
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
