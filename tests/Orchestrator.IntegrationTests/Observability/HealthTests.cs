using System.Net;
using System.Text.Json;
using Orchestrator.IntegrationTests.EndToEnd;
using Orchestrator.IntegrationTests.Infrastructure;

namespace Orchestrator.IntegrationTests.Observability;

/// <summary>
/// Every service's readiness follows its PostgreSQL: unready (503) while the server is down, ready again once it is
/// back, while liveness stays 200 throughout. The database is a private server, which the test may stop.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class HealthTests : IAsyncLifetime
{
    static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(15) };

    PrivatePostgresServer _postgres = null!;
    OrchestratorSystem _system = null!;

    public async Task InitializeAsync()
    {
        _postgres = await PrivatePostgresServer.CreateAsync();
        _system = await OrchestratorSystem.StartAsync(new Dictionary<string, string>
        {
            ["ConnectionStrings__Orchestrator"] = _postgres.ConnectionString(),
        });
    }

    public async Task DisposeAsync()
    {
        await _system.DisposeAsync();
        await _postgres.DisposeAsync();
    }

    [Fact]
    public async Task Every_service_turns_unready_while_postgres_is_stopped_and_ready_when_it_is_back()
    {
        foreach (var service in OrchestratorSystem.AllServices)
        {
            var (status, body) = await GetAsync(service, "/health/ready");
            Assert.True(status == HttpStatusCode.OK, $"{service} /health/ready: {status} {body}");
            var checks = JsonDocument.Parse(body).RootElement;
            Assert.Equal("ok", checks.GetProperty("database").GetString());
            // MassTransit's own check of the bus is part of readiness too.
            Assert.Contains(checks.EnumerateObject(), c => c.Name.Contains("masstransit", StringComparison.OrdinalIgnoreCase) && c.Value.GetString() == "ok");
        }

        await _postgres.StopAsync();

        foreach (var service in OrchestratorSystem.AllServices)
        {
            var (_, body) = await Eventually.UntilAsync(() => GetAsync(service, "/health/ready"),
                r => r.Status == HttpStatusCode.ServiceUnavailable, $"{service} to turn unready without PostgreSQL");
            var database = JsonDocument.Parse(body).RootElement.TryGetProperty("database", out var check) ? check.GetString() : null;
            Assert.True(database is not null && database != "ok", $"{service} /health/ready without PostgreSQL: {body}{Environment.NewLine}{_system.Logs}");
            var (live, _) = await GetAsync(service, "/health/live");
            Assert.Equal(HttpStatusCode.OK, live);
        }

        await _postgres.StartAsync();

        foreach (var service in OrchestratorSystem.AllServices)
        {
            await Eventually.UntilAsync(() => GetAsync(service, "/health/ready"),
                r => r.Status == HttpStatusCode.OK, $"{service} to be ready again once PostgreSQL is back");
            Assert.True(_system[service].IsRunning, $"{service} exited while PostgreSQL was down:{Environment.NewLine}{_system[service].Output}");
        }

        // Ready means usable: a job submitted now runs to its end.
        var upload = await _system.UploadAsync("echo back\n");
        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        var number = JsonDocument.Parse(await upload.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt64();
        await Eventually.UntilAsync(async () => (await _system.Api.GetAsync($"/download/{number}")).StatusCode,
            status => status == HttpStatusCode.OK, "a job submitted after the restart to complete");
    }

    async Task<(HttpStatusCode Status, string Body)> GetAsync(string service, string path)
    {
        using var response = await Http.GetAsync(new Uri(_system[service].BaseAddress, path));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
