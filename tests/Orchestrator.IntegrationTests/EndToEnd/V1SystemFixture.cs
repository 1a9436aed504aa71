using Microsoft.AspNetCore.Http;
using Orchestrator.IntegrationTests.Infrastructure;

namespace Orchestrator.IntegrationTests.EndToEnd;

/// <summary>
/// One system for the v1 API tests and a file server for its URL inputs. The limits are small so that exceeding them
/// is cheap: 64 KiB of files per job, 2 s to fetch one. Service prodigy retries exit code 3.
/// </summary>
public sealed class V1SystemFixture : IAsyncLifetime
{
    public const int MaxUploadBytes = 64 * 1024;

    public OrchestratorSystem System { get; private set; } = null!;

    public V1TestServer Files { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Files = await V1TestServer.StartAsync(async (context, _) =>
        {
            switch (context.Request.Path.Value)
            {
                case "/input.txt":
                    await context.Response.WriteAsync("fetched by url\n");
                    break;
                case "/large.bin":
                    await context.Response.Body.WriteAsync(new byte[MaxUploadBytes * 2]);
                    break;
                case "/slow.txt":
                    await Task.Delay(TimeSpan.FromSeconds(20), context.RequestAborted);
                    await context.Response.WriteAsync("too late\n");
                    break;
                default:
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    break;
            }
        });
        System = await OrchestratorSystem.StartAsync(new Dictionary<string, string>
        {
            ["Api__MaxUploadBytes"] = MaxUploadBytes.ToString(),
            ["Api__DownloadTimeout"] = "00:00:02",
            ["Api__MaxPageSize"] = "20",
            ["Orchestrator__Services__prodigy__Retry__MaxAttempts"] = "3",
            ["Orchestrator__Services__prodigy__Retry__RetryExitCodes__0"] = "3",
            ["Orchestrator__Services__prodigy__Retry__InitialDelay"] = "00:00:00.200",
            ["Orchestrator__Services__prodigy__Retry__MaxDelay"] = "00:00:01",
        });
    }

    public async Task DisposeAsync()
    {
        await System.DisposeAsync();
        await Files.DisposeAsync();
    }
}
