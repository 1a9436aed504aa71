using System.Net.Http.Headers;
using System.Text;

namespace Orchestrator.IntegrationTests.Infrastructure;

/// <summary>
/// A RabbitMQ virtual host of its own for one test or one system under test, so queues, exchanges and leftover
/// messages never leak between tests or into a running Orchestrator. Made through the management API.
/// </summary>
public sealed class TestVirtualHost : IAsyncDisposable
{
    static readonly HttpClient SharedManagement = CreateClient(15672);
    readonly HttpClient _management;

    TestVirtualHost(string name, int port, HttpClient management)
    {
        Name = name;
        Port = port;
        _management = management;
    }

    public string Name { get; }

    /// <summary>The broker's AMQP port: the shared broker's 5672, or a private one's.</summary>
    public int Port { get; }

    /// <summary>Makes the virtual host on the shared broker, or on <paramref name="broker"/> when given.</summary>
    public static async Task<TestVirtualHost> CreateAsync(PrivateRabbitMqServer? broker = null)
    {
        var management = broker is null ? SharedManagement : CreateClient(broker.ManagementPort);
        var name = $"orch-test-{Guid.NewGuid():N}";
        var path = Uri.EscapeDataString(name);
        (await management.PutAsync($"api/vhosts/{path}", Json("{}"))).EnsureSuccessStatusCode();
        (await management.PutAsync($"api/permissions/{path}/guest", Json("{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}"))).EnsureSuccessStatusCode();
        return new TestVirtualHost(name, broker?.Port ?? 5672, management);
    }

    /// <summary>Messages waiting in a queue of this virtual host (the management API refreshes every few seconds).</summary>
    public async Task<long> QueueDepthAsync(string queue)
    {
        var response = await _management.GetAsync($"api/queues/{Uri.EscapeDataString(Name)}/{Uri.EscapeDataString(queue)}");
        if (!response.IsSuccessStatusCode)
            return 0;
        using var doc = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.TryGetProperty("messages", out var messages) ? messages.GetInt64() : 0;
    }

    /// <summary>Every queue of this virtual host with the messages waiting in it.</summary>
    public async Task<IReadOnlyDictionary<string, long>> QueuesAsync()
    {
        var response = await _management.GetAsync($"api/queues/{Uri.EscapeDataString(Name)}");
        response.EnsureSuccessStatusCode();
        using var doc = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.EnumerateArray().ToDictionary(
            q => q.GetProperty("name").GetString()!,
            q => q.TryGetProperty("messages", out var messages) && messages.ValueKind == System.Text.Json.JsonValueKind.Number ? messages.GetInt64() : 0);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _management.DeleteAsync($"api/vhosts/{Uri.EscapeDataString(Name)}");
        }
        catch (HttpRequestException)
        {
            // A private broker may be gone already; its virtual hosts go with it.
        }
    }

    static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    static HttpClient CreateClient(int port)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        client.DefaultRequestHeaders.Authorization =
            new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.ASCII.GetBytes("guest:guest")));
        return client;
    }
}
