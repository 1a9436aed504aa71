using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orchestrator.Executor.Destinations.Dirac;
using Orchestrator.Executor.Destinations.Remote;

namespace Orchestrator.UnitTests.Executor;

public sealed class DiracApiTests
{
    const string TokenAnswer = """{"access_token": "access-1", "expires_in": 3600, "token_type": "Bearer", "refresh_token": "refresh-2"}""";

    static HttpResponseMessage Json(string json, HttpStatusCode status = HttpStatusCode.OK) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    static (DiracApi Api, ScriptedHandler Handler) Client(Func<HttpRequestMessage, HttpResponseMessage> jobs)
    {
        var handler = new ScriptedHandler(request => request.RequestUri!.AbsolutePath == "/api/auth/token" ? Json(TokenAnswer) : jobs(request));
        var http = new HttpClient(handler);
        var options = Options.Create(new DiracOptions { Url = "http://diracx.test", RefreshToken = "refresh-1" });
        return (new DiracApi(http, new DiracTokens(http, options, NullLogger<DiracTokens>.Instance), options), handler);
    }

    [Fact]
    public async Task A_refused_token_is_renewed_once_and_the_call_repeated()
    {
        var calls = 0;
        var (api, handler) = Client(_ => ++calls == 1 ? Json("""{"detail": "Invalid JWT"}""", HttpStatusCode.Unauthorized) : Json("""[{"JobID": 7, "Status": "Running"}]"""));

        var status = await api.GetStatusAsync(7, CancellationToken.None);

        Assert.Equal("Running", status?.Status);
        Assert.Equal(2, handler.Requests.Count(r => r.RequestUri!.AbsolutePath == "/api/auth/token"));
        Assert.All(handler.Requests.Where(r => r.RequestUri!.AbsolutePath == "/api/jobs/search"),
            r => Assert.Equal("Bearer access-1", r.Headers.Authorization?.ToString()));
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    public async Task Server_trouble_means_unavailable_and_is_worth_repeating(HttpStatusCode status)
    {
        var (api, _) = Client(_ => Json("""{"detail": "busy"}""", status));

        await Assert.ThrowsAsync<DestinationUnavailableException>(() => api.SubmitJdlAsync("[]", CancellationToken.None));
    }

    [Fact]
    public async Task A_refusal_is_a_protocol_error_carrying_DiracXs_detail()
    {
        var (api, _) = Client(_ => Json("""{"detail": "Invalid JDL"}""", HttpStatusCode.BadRequest));

        var error = await Assert.ThrowsAsync<DiracProtocolException>(() => api.SubmitJdlAsync("[]", CancellationToken.None));
        Assert.Contains("Invalid JDL", error.Message);
    }

    [Fact]
    public async Task Malformed_JSON_is_a_protocol_error_naming_the_call()
    {
        var (api, _) = Client(_ => Json("""[{"JobID": 1, """));

        var error = await Assert.ThrowsAsync<DiracProtocolException>(() => api.SubmitJdlAsync("[]", CancellationToken.None));
        Assert.Contains("POST /api/jobs/jdl", error.Message);
        Assert.Contains("malformed JSON", error.Message);
    }

    [Fact]
    public async Task An_unreachable_DiracX_is_unavailable()
    {
        var handler = new ScriptedHandler(_ => throw new HttpRequestException("Connection refused"));
        var http = new HttpClient(handler);
        var options = Options.Create(new DiracOptions { Url = "http://diracx.test", RefreshToken = "refresh-1" });
        var api = new DiracApi(http, new DiracTokens(http, options, NullLogger<DiracTokens>.Instance), options);

        var error = await Assert.ThrowsAsync<DestinationUnavailableException>(() => api.GetStatusAsync(1, CancellationToken.None));
        Assert.Contains("Connection refused", error.Message);
    }

    [Fact]
    public async Task Presigned_store_addresses_get_no_bearer_token()
    {
        var (api, handler) = Client(_ => new HttpResponseMessage(HttpStatusCode.NoContent));

        await api.UploadSandboxAsync("http://store.test/sandboxes", new Dictionary<string, string> { ["key"] = "k" }, [1, 2, 3], CancellationToken.None);

        var upload = Assert.Single(handler.Requests, r => r.RequestUri!.Host == "store.test");
        Assert.Null(upload.Headers.Authorization);
    }

    [Fact]
    public async Task A_kill_DIRAC_refuses_is_reported_not_thrown()
    {
        var (api, _) = Client(_ => Json("""{"success": {}, "failed": {"7": {"detail": "Job state transition not allowed"}}}"""));

        var refused = await api.KillAsync(7, CancellationToken.None);

        Assert.Contains("transition not allowed", refused);
    }
}
