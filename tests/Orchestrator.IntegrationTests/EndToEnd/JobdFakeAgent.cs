using System.IO.Compression;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Orchestrator.IntegrationTests.EndToEnd;

/// <summary>
/// A scripted jobd agent: reports the load a test sets, and answers the protocol well or badly
/// (<see cref="Mode"/>), to test choosing agents and malformed answers deterministically.
/// </summary>
public sealed class JobdFakeAgent : IAsyncDisposable
{
    readonly V1TestServer _server;
    int _lastId;

    JobdFakeAgent() => _server = new V1TestServer(HandleAsync);

    /// <summary>The raw body of <c>GET /load</c>.</summary>
    public string Load { get; set; } = "10.0";

    public JobdFakeAgentMode Mode { get; set; } = JobdFakeAgentMode.Completes;

    public Uri BaseAddress => _server.BaseAddress;

    public int Submits => _server.Requests.Count(r => r.Method == "POST" && r.PathAndQuery == "/submit");

    /// <summary>What completed payloads' <c>out.txt</c> holds, so a test sees which agent ran a job.</summary>
    public string Signature => $"from-fake-{_server.Port}";

    public static async Task<JobdFakeAgent> StartAsync()
    {
        var agent = new JobdFakeAgent();
        await agent._server.StartAsync();
        return agent;
    }

    /// <summary>Stops answering at all (connections refused), as an agent whose machine is down.</summary>
    public Task StopAsync() => _server.StopAsync();

    public Task StartAgainAsync() => _server.StartAsync();

    async Task HandleAsync(HttpContext context, byte[] body)
    {
        var path = context.Request.Path.Value ?? "";
        if (path == "/load")
            await Json(context, Load);
        else if (path == "/submit" && Mode == JobdFakeAgentMode.SubmitWithoutId)
            await Json(context, "{\"status\":\"Prepared\"}");
        else if (path == "/submit")
            await Json(context, $"{{\"id\":{Interlocked.Increment(ref _lastId)},\"input\":{{}},\"status\":\"Prepared\",\"loc\":\"/fake\",\"pid\":0,\"killed\":false}}");
        else if (path.StartsWith("/retrieve/", StringComparison.Ordinal) && Mode == JobdFakeAgentMode.RetrievesGarbage)
        {
            context.Response.ContentType = "text/html";
            await context.Response.WriteAsync("<html><body>Gateway error</body></html>");
        }
        else if (path.StartsWith("/retrieve", StringComparison.Ordinal))
        {
            context.Response.ContentType = "application/zip";
            await context.Response.Body.WriteAsync(Zip());
        }
        else if (path.StartsWith("/kill/", StringComparison.Ordinal) || path is "/health" or "/")
            context.Response.StatusCode = 200;
        else
            context.Response.StatusCode = 404;
    }

    byte[] Zip()
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in new[] { ("out.txt", Signature), (".orchestrator.exit", "0") })
            {
                using var writer = new StreamWriter(zip.CreateEntry(name).Open(), Encoding.UTF8);
                writer.Write(content);
            }
        }

        return buffer.ToArray();
    }

    static Task Json(HttpContext context, string json)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(json);
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();
}
