using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Orchestrator.Executor.Destinations.Remote;

namespace Orchestrator.Executor.Destinations.Dirac;

/// <summary>
/// The calls of DiracX's HTTP API this destination needs (docs/dirac.md lists them and where they are described).
/// Every call carries a bearer token; a 401 gets one new token and one retry. An unreachable DiracX, a timeout, 429
/// or 5xx is <see cref="DestinationUnavailableException"/>; any other wrong answer is <see cref="DiracProtocolException"/>.
/// Presigned sandbox-store addresses are called without the token, as DiracX asks.
/// </summary>
public sealed class DiracApi(HttpClient http, DiracTokens tokens, IOptions<DiracOptions> options)
{
    public static Uri Address(DiracOptions options, string path) => new(new Uri(options.Url.TrimEnd('/') + "/"), path);

    public static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout || (int)status >= 500;

    /// <summary>The <c>detail</c> of a FastAPI error body, or the body itself, cut short.</summary>
    public static string Detail(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("detail", out var detail))
                return detail.ToString();
        }
        catch (JsonException)
        {
        }

        return body.Length > 200 ? body[..200] + "…" : body;
    }

    public Task<DiracSandboxUploadResponse> InitiateSandboxUploadAsync(DiracSandboxInfo sandbox, CancellationToken cancellationToken) =>
        SendAsync<DiracSandboxUploadResponse>(HttpMethod.Post, "api/jobs/sandbox", () => JsonContent.Create(sandbox), cancellationToken);

    /// <summary>POSTs the archive to the presigned address with its form fields, as an S3 presigned POST expects.</summary>
    public async Task UploadSandboxAsync(string url, IReadOnlyDictionary<string, string> fields, byte[] archive, CancellationToken cancellationToken)
    {
        using var form = new MultipartFormDataContent();
        foreach (var (name, value) in fields)
            form.Add(new StringContent(value), name);
        var file = new ByteArrayContent(archive);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", "file");
        using var response = await CallAsync(() => http.PostAsync(url, form, cancellationToken), "the sandbox store");
        if (!response.IsSuccessStatusCode)
            throw new DiracProtocolException($"The sandbox store refused the input sandbox ({(int)response.StatusCode} {Detail(await response.Content.ReadAsStringAsync(cancellationToken))}).");
    }

    public async Task<long> SubmitJdlAsync(string jdl, CancellationToken cancellationToken)
    {
        var inserted = await SendAsync<List<DiracInsertedJob>>(HttpMethod.Post, "api/jobs/jdl", () => JsonContent.Create(new[] { jdl }), cancellationToken);
        if (inserted.Count != 1 || inserted[0].JobId <= 0)
            throw new DiracProtocolException($"DiracX answered the submission with {inserted.Count} jobs instead of one.");
        return inserted[0].JobId;
    }

    /// <summary>The job's status row, or null when DiracX does not know the job.</summary>
    public async Task<DiracJobStatus?> GetStatusAsync(long jobId, CancellationToken cancellationToken)
    {
        var rows = await SearchAsync("JobID", jobId.ToString(CultureInfo.InvariantCulture), cancellationToken);
        return rows.Select(Status).FirstOrDefault();
    }

    /// <summary>The id of a job of ours by its unique name, so a submit whose answer was lost is not made twice.</summary>
    public async Task<long?> FindJobByNameAsync(string jobName, CancellationToken cancellationToken)
    {
        var rows = await SearchAsync("JobName", jobName, cancellationToken);
        foreach (var row in rows)
            if (row.TryGetProperty("JobID", out var id) && id.TryGetInt64(out var jobId))
                return jobId;
        return null;
    }

    public async Task<IReadOnlyList<string>> GetOutputSandboxPfnsAsync(long jobId, CancellationToken cancellationToken)
    {
        var pfns = await SendAsync<List<JsonElement>>(HttpMethod.Get, $"api/jobs/{jobId}/sandbox/output", null, cancellationToken);
        return pfns.Select(p => p.ValueKind == JsonValueKind.String
                ? p.GetString()!
                : throw new DiracProtocolException($"DiracX listed an output sandbox that is not a PFN string: {p}"))
            .ToList();
    }

    public async Task<string> GetSandboxDownloadUrlAsync(string pfn, CancellationToken cancellationToken)
    {
        var download = await SendAsync<DiracSandboxDownloadResponse>(HttpMethod.Get,
            $"api/jobs/sandbox?pfn={Uri.EscapeDataString(pfn)}", null, cancellationToken);
        return download.Url is { Length: > 0 } url
            ? url
            : throw new DiracProtocolException($"DiracX gave no download address for sandbox {pfn}.");
    }

    /// <summary>Copies a presigned download into <paramref name="destination"/>.</summary>
    public async Task DownloadSandboxAsync(string url, Stream destination, CancellationToken cancellationToken)
    {
        using var response = await CallAsync(() => http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken), "the sandbox store");
        if (!response.IsSuccessStatusCode)
            throw new DiracProtocolException($"The sandbox store refused the output sandbox ({(int)response.StatusCode}).");
        try
        {
            await response.Content.CopyToAsync(destination, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException)
        {
            throw new DestinationUnavailableException($"The output sandbox download broke off: {ex.Message}", ex);
        }
    }

    /// <summary>Asks DiracX to move the job to Killed (<c>PATCH /api/jobs/status</c>); DIRAC's state machine may refuse a job that already ended.</summary>
    public async Task<string?> KillAsync(long jobId, CancellationToken cancellationToken)
    {
        var id = jobId.ToString(CultureInfo.InvariantCulture);
        var body = new JsonObject
        {
            [id] = new JsonObject
            {
                [DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture)] = new JsonObject
                {
                    ["Status"] = "Killed",
                    ["MinorStatus"] = "Killed by the orchestrator",
                    ["Source"] = "Orchestrator",
                },
            },
        };
        var answer = await SendAsync<JsonElement>(HttpMethod.Patch, "api/jobs/status", () => JsonContent.Create(body), cancellationToken);
        if (answer.ValueKind == JsonValueKind.Object && answer.TryGetProperty("failed", out var failed)
            && failed.ValueKind == JsonValueKind.Object && failed.TryGetProperty(id, out var reason))
            return reason.ToString();
        return null;
    }

    async Task<List<JsonElement>> SearchAsync(string parameter, string value, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["parameters"] = new JsonArray("JobID", "JobName", "Status", "MinorStatus", "ApplicationStatus"),
            ["search"] = new JsonArray(new JsonObject { ["parameter"] = parameter, ["operator"] = "eq", ["value"] = value }),
        };
        var rows = await SendAsync<List<JsonElement>>(HttpMethod.Post, "api/jobs/search", () => JsonContent.Create(body), cancellationToken);
        return rows.Where(r => r.ValueKind == JsonValueKind.Object).ToList();
    }

    static DiracJobStatus Status(JsonElement row)
    {
        string? Text(string name) =>
            row.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        return new DiracJobStatus(
            Text("Status") ?? throw new DiracProtocolException($"DiracX's job row has no Status: {row}"),
            Text("MinorStatus"),
            Text("ApplicationStatus"));
    }

    async Task<T> SendAsync<T>(HttpMethod method, string path, Func<HttpContent>? content, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var token = await tokens.GetAsync(cancellationToken);
            using var request = new HttpRequestMessage(method, Address(options.Value, path)) { Content = content?.Invoke() };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await CallAsync(() => http.SendAsync(request, cancellationToken), "DiracX");
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 1 && tokens.Invalidate(token))
                continue;
            if (IsTransient(response.StatusCode))
                throw new DestinationUnavailableException($"DiracX answered {method} /{path} with {(int)response.StatusCode}.");
            if (!response.IsSuccessStatusCode)
                throw new DiracProtocolException($"DiracX refused {method} /{path}: {(int)response.StatusCode} {Detail(body)}");
            try
            {
                return JsonSerializer.Deserialize<T>(body)
                       ?? throw new DiracProtocolException($"DiracX answered {method} /{path} with null.");
            }
            catch (JsonException ex)
            {
                throw new DiracProtocolException($"DiracX answered {method} /{path} with malformed JSON: {ex.Message}", ex);
            }
        }
    }

    static async Task<HttpResponseMessage> CallAsync(Func<Task<HttpResponseMessage>> call, string what)
    {
        try
        {
            return await call();
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            throw new DestinationUnavailableException($"{what} cannot be reached: {ex.Message}", ex);
        }
    }
}
