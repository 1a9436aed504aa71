using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Orchestrator.IntegrationTests.Infrastructure;

namespace Orchestrator.IntegrationTests.EndToEnd;

/// <summary>Job callbacks: signed CloudEvents for start, exit and cleaned, delivered in order and despite outages.</summary>
public sealed class CallbackTests : IAsyncLifetime
{
    const string SigningKey = "test-signing-key";
    OrchestratorSystem _system = null!;

    public async Task InitializeAsync() =>
        _system = await OrchestratorSystem.StartAsync(new Dictionary<string, string>
        {
            ["Orchestrator__Retention"] = "00:00:03",
            ["Api__Callbacks__SigningKey"] = SigningKey,
            ["Api__Callbacks__InitialBackoff"] = "00:00:00.200",
            ["Api__Callbacks__MaxBackoff"] = "00:00:01",
            ["Api__Callbacks__PollInterval"] = "00:00:00.100",
            ["Api__Callbacks__BreakerDuration"] = "00:00:01",
            ["Api__Callbacks__BreakerMinimumThroughput"] = "2",
            ["Api__Callbacks__RequestTimeout"] = "00:00:02",
        });

    public async Task DisposeAsync() => await _system.DisposeAsync();

    async Task<string> SubmitAsync(Uri callback, string script = "echo hi\n", JsonArray? events = null)
    {
        var id = $"cb-{Guid.NewGuid():N}";
        var callbackJson = new JsonObject { ["url"] = callback.ToString() };
        if (events is not null)
            callbackJson["events"] = events;
        var body = new JsonObject
        {
            ["id"] = id,
            ["service"] = "generic",
            ["user"] = 1,
            ["files"] = new JsonArray(new JsonObject { ["path"] = "run.sh", ["content"] = script }),
            ["callback"] = callbackJson,
        };
        using var response = await _system.Api.PostAsync("/v1/jobs", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return id;
    }

    /// <summary>What a receiver does: recompute the HMAC of the raw body and compare in constant time.</summary>
    static bool SignatureIsValid(V1ReceivedRequest request)
    {
        if (!request.Headers.TryGetValue("X-Signature-256", out var header) || !header.StartsWith("sha256=", StringComparison.Ordinal))
            return false;
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(SigningKey), request.Body);
        byte[] given;
        try
        {
            given = Convert.FromHexString(header["sha256=".Length..]);
        }
        catch (FormatException)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    static JsonElement Event(V1ReceivedRequest request) => JsonDocument.Parse(request.Body).RootElement.Clone();

    static List<JsonElement> EventsOf(V1TestServer receiver, string id) =>
        receiver.Requests.Select(Event).Where(e => e.GetProperty("subject").GetString() == id).ToList();

    [Fact]
    public async Task Start_exit_and_cleaned_arrive_in_order_as_signed_cloudevents()
    {
        await using var receiver = await V1TestServer.StartAsync((_, _) => Task.CompletedTask);
        var id = await SubmitAsync(new Uri(receiver.BaseAddress, "/hook"), "exit 5\n");

        await Eventually.UntilAsync(() => EventsOf(receiver, id).Count >= 3, "start, exit and cleaned to arrive");
        var requests = receiver.Requests.Where(r => Event(r).GetProperty("subject").GetString() == id).ToList();
        Assert.All(requests, r => Assert.True(SignatureIsValid(r), "the signature should verify with the shared key"));
        Assert.All(requests, r => Assert.StartsWith("application/cloudevents+json", r.Headers["Content-Type"]));
        Assert.All(requests, r => Assert.Equal("/hook", r.PathAndQuery));

        var events = requests.Select(Event).ToList();
        Assert.Equal(["org.orchestrator.job.start", "org.orchestrator.job.exit", "org.orchestrator.job.cleaned"],
            events.Select(e => e.GetProperty("type").GetString()));
        Assert.All(events, e =>
        {
            Assert.Equal("1.0", e.GetProperty("specversion").GetString());
            Assert.False(string.IsNullOrEmpty(e.GetProperty("id").GetString()));
            Assert.Equal($"/v1/jobs/{id}", e.GetProperty("source").GetString());
            Assert.Equal("application/json", e.GetProperty("datacontenttype").GetString());
            e.GetProperty("time").GetDateTimeOffset();
        });
        Assert.Equal(3, events.Select(e => e.GetProperty("id").GetString()).Distinct().Count());
        var exit = events[1].GetProperty("data");
        Assert.Equal(5, exit.GetProperty("exitCode").GetInt32());
        Assert.Equal("Failed", exit.GetProperty("state").GetString());
        Assert.Equal("Running", events[0].GetProperty("data").GetProperty("state").GetString());

        // A tampered body or a wrong key does not verify.
        var tampered = requests[1] with { Body = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(requests[1].Body).Replace("5", "0")) };
        Assert.False(SignatureIsValid(tampered));
    }

    [Fact]
    public async Task Only_the_events_asked_for_are_sent()
    {
        await using var receiver = await V1TestServer.StartAsync((_, _) => Task.CompletedTask);
        var id = await SubmitAsync(receiver.BaseAddress, events: ["exit"]);

        await Eventually.UntilAsync(async () => (await _system.Api.GetFromJsonAsync<JsonElement>($"/v1/jobs/{id}")).GetProperty("state").GetString() == "Cleaned",
            "the job to be cleaned");
        await Eventually.UntilAsync(() => EventsOf(receiver, id).Count >= 1, "the exit event");
        var pending = await _system.Database.ScalarAsync<long>("SELECT count(*) FROM api.callback_deliveries WHERE state = 'Pending'");
        Assert.Equal(0, pending);
        Assert.Equal(["org.orchestrator.job.exit"], EventsOf(receiver, id).Select(e => e.GetProperty("type").GetString()));
    }

    [Fact]
    public async Task A_receiver_down_for_a_while_gets_every_event_in_order_per_job_once_it_is_up_even_across_an_api_restart()
    {
        var receiver = new V1TestServer((_, _) => Task.CompletedTask);
        var hook = new Uri(receiver.BaseAddress, "/down-then-up");
        var ids = new[] { await SubmitAsync(hook), await SubmitAsync(hook) };

        await Eventually.UntilAsync(async () =>
                await _system.Database.ScalarAsync<long>("SELECT count(*) FROM api.callback_deliveries WHERE attempts >= 2 AND state = 'Pending'") >= 2,
            "deliveries to fail and be retried while the receiver is down");
        // Only the first event of each job is tried: the later ones wait behind it.
        var triedBeyondHead = await _system.Database.ScalarAsync<long>(
            "SELECT count(*) FROM api.callback_deliveries WHERE event <> 'start' AND attempts > 0");
        Assert.Equal(0, triedBeyondHead);

        await _system.RestartServiceAsync("Api");
        await Eventually.UntilAsync(async () =>
                await _system.Database.ScalarAsync<long>("SELECT count(*) FROM api.callback_deliveries WHERE state = 'Pending'") >= 6,
            "all six events to be pending");
        await receiver.StartAsync();
        await using (receiver)
        {
            await Eventually.UntilAsync(() => ids.All(id => EventsOf(receiver, id).Count >= 3), "every event to arrive once the receiver is up");
            foreach (var id in ids)
                Assert.Equal(["org.orchestrator.job.start", "org.orchestrator.job.exit", "org.orchestrator.job.cleaned"],
                    EventsOf(receiver, id).Select(e => e.GetProperty("type").GetString()));
            Assert.All(receiver.Requests, r => Assert.True(SignatureIsValid(r)));
        }
    }

    [Fact]
    public async Task A_receiver_that_refuses_with_4xx_is_not_retried_and_the_delivery_is_recorded_failed()
    {
        await using var receiver = await V1TestServer.StartAsync((context, _) =>
        {
            context.Response.StatusCode = StatusCodes.Status410Gone;
            return Task.CompletedTask;
        });
        var id = await SubmitAsync(receiver.BaseAddress, events: ["start", "exit"]);

        await Eventually.UntilAsync(async () =>
                await _system.Database.ScalarAsync<long>(
                    $"SELECT count(*) FROM api.callback_deliveries d JOIN api.jobs j ON j.number = d.job_number WHERE j.client_id = '{id}' AND d.state = 'Failed'") == 2,
            "both deliveries to be recorded failed");
        var attempts = await _system.Database.ScalarAsync<long>(
            $"SELECT max(d.attempts) FROM api.callback_deliveries d JOIN api.jobs j ON j.number = d.job_number WHERE j.client_id = '{id}'");
        Assert.Equal(1, attempts);
        Assert.Equal(2, EventsOf(receiver, id).Count);
        var status = await _system.Database.ScalarAsync<int>(
            $"SELECT min(d.last_status) FROM api.callback_deliveries d JOIN api.jobs j ON j.number = d.job_number WHERE j.client_id = '{id}'");
        Assert.Equal(410, status);
    }
}
