using System.Net;
using System.Text.Json;
using Orchestrator.IntegrationTests.EndToEnd;
using Orchestrator.IntegrationTests.Infrastructure;

namespace Orchestrator.IntegrationTests.Observability;

/// <summary>The Api describes itself: an OpenAPI document with every endpoint and answer, and Swagger UI at /swagger.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class OpenApiDocumentTests : IAsyncLifetime
{
    static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Every route of the Api with the statuses it answers; a new route or status belongs here and in the document.</summary>
    static readonly (string Path, string Method, string[] Statuses)[] Expected =
    [
        ("/upload", "post", ["201", "400", "413", "429", "500"]),
        ("/download/{id}", "get", ["200", "202", "204", "404", "500"]),
        ("/download/{id}", "head", ["200", "202", "204", "404"]),
        ("/jobs/{id}", "get", ["200", "404"]),
        ("/terminate/{id}", "post", ["200", "404"]),
        ("/v1/jobs", "post", ["200", "201", "400", "409", "413", "415", "422", "429", "500"]),
        ("/v1/jobs", "get", ["200", "400"]),
        ("/v1/jobs/{id}", "get", ["200", "404"]),
        ("/v1/jobs/{id}", "delete", ["200", "202", "404", "409"]),
        ("/v1/jobs/{id}/result", "get", ["200", "404", "409", "410"]),
        ("/v1/jobs/{id}/files", "get", ["200", "404", "410"]),
        ("/v1/jobs/{id}/files/{path}", "get", ["200", "404", "410"]),
    ];

    TestDatabase _database = null!;
    TestVirtualHost _virtualHost = null!;
    ServiceProcess _api = null!;
    string _jobsRoot = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _virtualHost = await TestVirtualHost.CreateAsync();
        _jobsRoot = Directory.CreateTempSubdirectory("orch-openapi-").FullName;
        _api = new ServiceProcess("Api", ServiceProcess.FreePort(), new Dictionary<string, string>
        {
            ["ConnectionStrings__Orchestrator"] = _database.ConnectionString,
            ["RabbitMq__VirtualHost"] = _virtualHost.Name,
            ["Orchestrator__Storage__JobsRoot"] = _jobsRoot,
        });
        await _api.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _virtualHost.DisposeAsync();
        await _database.DisposeAsync();
        Directory.Delete(_jobsRoot, recursive: true);
    }

    [Fact]
    public async Task The_openapi_document_describes_every_endpoint_its_answers_and_problem_details()
    {
        using var response = await Http.GetAsync(new Uri(_api.BaseAddress, "/openapi/v1.json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {text}");
        var document = JsonDocument.Parse(text).RootElement;
        var paths = document.GetProperty("paths");

        foreach (var (path, method, statuses) in Expected)
        {
            Assert.True(paths.TryGetProperty(path, out var item), $"{path} is missing; the document has {string.Join(", ", paths.EnumerateObject().Select(p => p.Name))}");
            Assert.True(item.TryGetProperty(method, out var operation), $"{method.ToUpperInvariant()} {path} is missing");
            Assert.True(operation.TryGetProperty("summary", out _), $"{method} {path} has no summary");
            var responses = operation.GetProperty("responses");
            foreach (var status in statuses)
            {
                Assert.True(responses.TryGetProperty(status, out var answer), $"{method} {path} does not describe {status}");
                Assert.False(string.IsNullOrWhiteSpace(answer.GetProperty("description").GetString()), $"{method} {path} {status} has no description");
                if (status[0] is '4' or '5')
                    AssertProblem(answer, $"{method} {path} {status}");
            }
        }

        var upload = paths.GetProperty("/upload").GetProperty("post");
        Assert.True(upload.GetProperty("requestBody").GetProperty("content").TryGetProperty("multipart/form-data", out _));
        var submit = paths.GetProperty("/v1/jobs").GetProperty("post");
        Assert.True(submit.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _));
    }

    [Fact]
    public async Task Swagger_ui_is_served_at_swagger_and_points_at_the_document()
    {
        using var page = await Http.GetAsync(new Uri(_api.BaseAddress, "/swagger/index.html"));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("swagger-ui", await page.Content.ReadAsStringAsync());

        using var initializer = await Http.GetAsync(new Uri(_api.BaseAddress, "/swagger/index.js"));
        Assert.Equal(HttpStatusCode.OK, initializer.StatusCode);
        Assert.Contains("/openapi/v1.json", await initializer.Content.ReadAsStringAsync());
    }

    /// <summary>A problem answer is application/problem+json whose schema is ProblemDetails (inline or referenced).</summary>
    static void AssertProblem(JsonElement answer, string what)
    {
        var media = answer.TryGetProperty("content", out var content) && content.TryGetProperty("application/problem+json", out var found)
            ? found
            : throw new Xunit.Sdk.XunitException($"{what} is not described as application/problem+json: {answer}");
        var schema = media.GetProperty("schema");
        var described = schema.TryGetProperty("$ref", out var reference)
            ? reference.GetString()!.EndsWith("/ProblemDetails", StringComparison.Ordinal)
            : schema.TryGetProperty("properties", out var properties) && properties.TryGetProperty("title", out _) && properties.TryGetProperty("status", out _);
        Assert.True(described, $"{what}: the schema is not ProblemDetails: {schema}");
    }
}
