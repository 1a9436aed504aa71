using System.Net;
using System.Text.Json;

namespace Orchestrator.IntegrationTests.Infrastructure;

/// <summary>What every refusal over HTTP must be: an RFC 9457 problem that says what went wrong, and nothing more.</summary>
public static class ProblemAssert
{
    /// <summary>
    /// The response is <c>application/problem+json</c> with <paramref name="status"/>, the <paramref name="title"/> when
    /// one is given, and a detail; it shows no stack trace and none of <paramref name="mustNotMention"/> (server paths).
    /// </summary>
    public static async Task<JsonElement> IsProblemAsync(
        HttpResponseMessage response, HttpStatusCode status, string? title = null, params string[] mustNotMention)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status} {title}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement.Clone();
        if (title is not null)
            Assert.Equal(title, problem.GetProperty("title").GetString());
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()), $"no detail in {text}");
        Assert.DoesNotContain("   at ", text);
        foreach (var forbidden in mustNotMention)
            Assert.DoesNotContain(forbidden, text);
        return problem;
    }
}
