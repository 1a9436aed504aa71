using System.Net.Http.Headers;
using System.Text;

namespace Orchestrator.IntegrationTests.Infrastructure;

/// <summary>
/// A RabbitMQ virtual host of its own for one test or one system under test, so queues, exchanges and leftover
/// messages never leak between tests or into a running Orchestrator. Made through the management API.
/// </summary>
public sealed class TestVirtualHost : IAsyncDisposable
{
    static readonly HttpClient Management = CreateClient();

    TestVirtualHost(string name) => Name = name;

    public string Name { get; }

    public static async Task<TestVirtualHost> CreateAsync()
    {
        var name = $"orch-test-{Guid.NewGuid():N}";
        var path = Uri.EscapeDataString(name);
        (await Management.PutAsync($"api/vhosts/{path}", Json("{}"))).EnsureSuccessStatusCode();
        (await Management.PutAsync($"api/permissions/{path}/guest", Json("{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}"))).EnsureSuccessStatusCode();
        return new TestVirtualHost(name);
    }

    /// <summary>Messages waiting in a queue of this virtual host (the management API refreshes every few seconds).</summary>
    public async Task<long> QueueDepthAsync(string queue)
    {
        var response = await Management.GetAsync($"api/queues/{Uri.EscapeDataString(Name)}/{Uri.EscapeDataString(queue)}");
        if (!response.IsSuccessStatusCode)
            return 0;
        using var doc = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.TryGetProperty("messages", out var messages) ? messages.GetInt64() : 0;
    }

    public async ValueTask DisposeAsync() =>
        await Management.DeleteAsync($"api/vhosts/{Uri.EscapeDataString(Name)}");

    static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    static HttpClient CreateClient()
    {
        var client = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:15672/") };
        client.DefaultRequestHeaders.Authorization =
            new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.ASCII.GetBytes("guest:guest")));
        return client;
    }
}
