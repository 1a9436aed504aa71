using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Orchestrator.IntegrationTests.Infrastructure;

namespace Orchestrator.IntegrationTests.EndToEnd;

/// <summary>
/// Key changes reach every running Api instance: each instance goes by what it read about keys for at most
/// <c>Api:KeyCacheDuration</c> (1 s), and by its own changes at once. The time bound itself is checked with a manual
/// clock in the unit tests of <c>ApiKeyCache</c>; here the instances are polled until they comply.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class ApiKeysAcrossInstancesTests
{
    /// <summary>The documented second, with room for a loaded two-core machine; polled, so a quick answer ends it at once.</summary>
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_key_made_by_the_keys_command_ends_anonymous_loopback_access_on_every_running_instance()
    {
        await using var apis = await ApiInstances.StartAsync(2);
        HttpClient[] anonymous = [apis.Client(0), apis.Client(1)];
        foreach (var client in anonymous)
            await AssertAllowedAsync(client);

        var key = await ApiKeyCommandLine.CreateAsync(apis.Environment, "admin", "ops");

        // A key that was not found is not remembered as missing: the new one works everywhere from its first use.
        await AssertAllowedAsync(apis.Client(0, key));
        await AssertAllowedAsync(apis.Client(1, key));
        foreach (var client in anonymous)
            await AssertRefusedWithinDeadlineAsync(client, "anonymous access to end");
    }

    [Fact]
    public async Task A_key_created_through_one_instance_ends_anonymous_access_there_at_once_and_on_the_others_within_the_cache_time()
    {
        await using var apis = await ApiInstances.StartAsync(2);
        var first = apis.Client(0);
        var second = apis.Client(1);
        await AssertAllowedAsync(second);

        using var created = await first.PostAsJsonAsync("/admin/keys", new { name = "ops", role = "admin" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var key = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;

        await AssertRefusedAsync(first);
        await AssertAllowedAsync(apis.Client(1, key));
        await AssertRefusedWithinDeadlineAsync(second, "the second instance to end anonymous access");
    }

    [Fact]
    public async Task A_revoked_key_is_refused_at_once_by_the_instance_that_revoked_it_and_within_the_cache_time_by_the_others()
    {
        await using var apis = await ApiInstances.StartAsync(2);
        var admin = await ApiKeyCommandLine.CreateAsync(apis.Environment, "admin", "ops");
        var portal = await CreateKeyAsync(apis.Client(0, admin), "portal-a");
        var viaCommand = await CreateKeyAsync(apis.Client(0, admin), "portal-b");
        HttpClient[] portalClients = [apis.Client(0, portal), apis.Client(1, portal)];
        HttpClient[] viaCommandClients = [apis.Client(0, viaCommand), apis.Client(1, viaCommand)];
        // Used, hence remembered, on both instances before they are revoked.
        foreach (var client in portalClients.Concat(viaCommandClients))
            await AssertAllowedAsync(client);

        using (var revoke = await apis.Client(0, admin).DeleteAsync($"/admin/keys/{await KeyIdAsync(apis, "portal-a")}"))
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        await AssertRefusedAsync(portalClients[0]);
        await AssertRefusedWithinDeadlineAsync(portalClients[1], "the other instance to refuse the key revoked through the first");

        var (code, _, stderr) = await ApiKeyCommandLine.RunAsync(apis.Environment, "revoke", (await KeyIdAsync(apis, "portal-b")).ToString());
        Assert.True(code == 0, stderr);
        foreach (var client in viaCommandClients)
            await AssertRefusedWithinDeadlineAsync(client, "every instance to refuse the key revoked by the keys command");
        await AssertAllowedAsync(apis.Client(1, admin));
    }

    [Fact]
    public async Task Revoking_every_key_leaves_anonymous_access_closed_and_the_api_says_so_at_start()
    {
        await using var apis = await ApiInstances.StartAsync(2);
        var admin = await ApiKeyCommandLine.CreateAsync(apis.Environment, "admin", "ops");
        await AssertAllowedAsync(apis.Client(0, admin));

        var (code, _, stderr) = await ApiKeyCommandLine.RunAsync(apis.Environment, "revoke", (await KeyIdAsync(apis, "ops")).ToString());
        Assert.True(code == 0, stderr);
        await AssertRefusedWithinDeadlineAsync(apis.Client(0, admin), "the revoked key to be refused");

        // No key is active any more, yet anonymous requests stay refused: by the running instances and after a start.
        await AssertRefusedAsync(apis.Client(0));
        await AssertRefusedAsync(apis.Client(1));
        await apis.RestartAsync(1);
        await AssertRefusedAsync(apis.Client(1));
        Assert.Contains("Every API key is revoked", apis[1].Output);

        // A new key, made with the command, opens the API again.
        var again = await ApiKeyCommandLine.CreateAsync(apis.Environment, "admin", "ops-2");
        await AssertAllowedAsync(apis.Client(0, again));
        await AssertAllowedAsync(apis.Client(1, again));
    }

    static async Task<string> CreateKeyAsync(HttpClient admin, string name)
    {
        using var response = await admin.PostAsJsonAsync("/admin/keys", new { name, role = "portal" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
    }

    static Task<long> KeyIdAsync(ApiInstances apis, string name) =>
        apis.Database.ScalarAsync<long>($"SELECT id FROM api.api_keys WHERE name = '{name}'");

    static async Task AssertAllowedAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/v1/jobs");
        Assert.True(response.StatusCode == HttpStatusCode.OK,
            $"{client.BaseAddress}v1/jobs answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    static async Task AssertRefusedAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/v1/jobs");
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, "Unauthorized");
    }

    static async Task AssertRefusedWithinDeadlineAsync(HttpClient client, string what)
    {
        await Eventually.UntilAsync(async () =>
        {
            using var response = await client.GetAsync("/v1/jobs");
            return response.StatusCode;
        }, status => status == HttpStatusCode.Unauthorized, what, Deadline);
        await AssertRefusedAsync(client);
    }
}
