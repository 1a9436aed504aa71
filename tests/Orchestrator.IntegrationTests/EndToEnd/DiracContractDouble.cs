using System.Collections.Concurrent;
using System.Diagnostics;
using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ICSharpCode.SharpZipLib.BZip2;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Orchestrator.IntegrationTests.Infrastructure;
using ZstdSharp;

namespace Orchestrator.IntegrationTests.EndToEnd;

/// <summary>
/// A stand-in for DiracX on 127.0.0.1, following its published API as docs/dirac.md records it: the refresh-token
/// grant at <c>/api/auth/token</c> (rotating refresh tokens), bearer tokens on <c>/api/jobs/*</c>, sandbox upload by
/// SHA-256 through a presigned POST to an S3-like store, JDL submission, job search, status changes (kill), output
/// sandbox listing and presigned download. A job moves one DIRAC state further each time it is searched by id
/// (Received, Checking, Waiting, Matched, Running, Completing, Completed, Done), and between Running and Completing its
/// input sandbox is unpacked and <c>bash run.sh</c> really runs, its files becoming the output sandbox (tar.zst, as
/// DiracX's own client writes). Tests script it: hold jobs at Running, fail them, answer malformed JSON, expire the
/// tokens, or stop the server and start it again on the same port with its state kept.
/// </summary>
public sealed partial class DiracContractDouble : IAsyncDisposable
{
    const string Bucket = "sandboxes";
    const string StorageElement = "SandboxSE";
    static readonly string[] FinalStates = ["Done", "Failed", "Killed", "Deleted"];
    static readonly string[] Progression = ["Received", "Checking", "Waiting", "Matched", "Running", "Completing", "Completed", "Done"];

    readonly object _lock = new();
    readonly Dictionary<long, DiracDoubleJob> _jobs = new();
    readonly Dictionary<string, byte[]> _store = new(StringComparer.Ordinal);
    readonly Dictionary<string, DateTimeOffset> _accessTokens = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, int> _malformed = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, int> _unavailable = new(StringComparer.Ordinal);
    readonly string _workRoot = Path.Combine(Path.GetTempPath(), $"dirac-double-{Guid.NewGuid():N}");
    long _nextJobId = 1000;
    WebApplication? _app;

    DiracContractDouble(string refreshToken)
    {
        RefreshToken = refreshToken;
        Port = ServiceProcess.FreePort();
        Directory.CreateDirectory(_workRoot);
    }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    /// <summary>The refresh token the double accepts now; each grant replaces it.</summary>
    public string RefreshToken { get; private set; }

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>New jobs stay at Running until <see cref="Release"/>.</summary>
    public bool HoldNewJobs { get; set; }

    /// <summary>New jobs end Failed with this minor status.</summary>
    public string? FailNewJobsWith { get; set; }

    /// <summary>Every call received: method, path and the status answered.</summary>
    public ConcurrentQueue<string> Calls { get; } = new();

    public int TokenGrants => Calls.Count(c => c.StartsWith("POST /api/auth/token 200", StringComparison.Ordinal));

    public int Unauthorized => Calls.Count(c => c.EndsWith(" 401", StringComparison.Ordinal));

    public static async Task<DiracContractDouble> StartAsync(string refreshToken)
    {
        var server = new DiracContractDouble(refreshToken);
        await server.StartAsync();
        return server;
    }

    public IReadOnlyList<DiracDoubleJob> Jobs
    {
        get
        {
            lock (_lock)
                return _jobs.Values.ToList();
        }
    }

    public DiracDoubleJob? JobNamed(string name) => Jobs.FirstOrDefault(j => j.JobName == name);

    public void Release(long jobId)
    {
        lock (_lock)
            _jobs[jobId].Held = false;
    }

    /// <summary>Every access token issued so far is refused from now on, as an expired one would be.</summary>
    public void ExpireTokens()
    {
        lock (_lock)
            _accessTokens.Clear();
    }

    /// <summary>The next <paramref name="count"/> answers of <paramref name="endpoint"/> (token, sandbox, jdl, search) are malformed JSON.</summary>
    public void AnswerMalformed(string endpoint, int count) => _malformed[endpoint] = count;

    /// <summary>The next <paramref name="count"/> answers of <paramref name="endpoint"/> (output) are 503, as from a DiracX being restarted.</summary>
    public void AnswerUnavailable(string endpoint, int count) => _unavailable[endpoint] = count;

    /// <summary>Jobs run from now on reach Done without an output sandbox, as if its upload had been lost.</summary>
    public bool LoseOutputSandboxes { get; set; }

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(BaseAddress.ToString());
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            await next(context);
            Calls.Enqueue($"{context.Request.Method} {context.Request.Path} {context.Response.StatusCode}");
        });
        app.MapPost("/api/auth/token", (Func<HttpContext, Task<IResult>>)TokenAsync);
        app.MapPost("/api/jobs/sandbox", (Func<HttpContext, Task<IResult>>)InitiateSandboxUploadAsync);
        app.MapGet("/api/jobs/sandbox", GetSandboxFile);
        app.MapPost("/api/jobs/jdl", (Func<HttpContext, Task<IResult>>)SubmitJdlAsync);
        app.MapPost("/api/jobs/search", (Func<HttpContext, Task<IResult>>)SearchAsync);
        app.MapPatch("/api/jobs/status", (Func<HttpContext, Task<IResult>>)SetJobStatusAsync);
        app.MapGet("/api/jobs/{jobId:long}/sandbox/output", (HttpContext context, long jobId) => OutputSandbox(context, jobId));
        app.MapPost("/s3/" + Bucket, (Func<HttpContext, Task<IResult>>)StoreUploadAsync);
        app.MapGet("/s3/" + Bucket + "/{**key}", (HttpContext context, string key) => StoreDownload(context, key));
        await app.StartAsync();
        _app = app;
    }

    public async Task StopAsync()
    {
        if (_app is null)
            return;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _app = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_workRoot, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    async Task<IResult> TokenAsync(HttpContext context)
    {
        if (Malformed("token"))
            return MalformedAnswer();
        var form = await context.Request.ReadFormAsync();
        if (form["grant_type"] != "refresh_token" || string.IsNullOrEmpty(form["client_id"]))
            return Problem(400, "grant_type refresh_token and client_id are required");
        lock (_lock)
        {
            if (form["refresh_token"] != RefreshToken)
                return Problem(401, "Invalid refresh token");
            var accessToken = $"access-{Guid.NewGuid():N}";
            _accessTokens[accessToken] = DateTimeOffset.UtcNow + AccessTokenLifetime;
            RefreshToken = $"refresh-{Guid.NewGuid():N}";
            return Results.Json(new JsonObject
            {
                ["access_token"] = accessToken,
                ["expires_in"] = (int)AccessTokenLifetime.TotalSeconds,
                ["token_type"] = "Bearer",
                ["refresh_token"] = RefreshToken,
            });
        }
    }

    async Task<IResult> InitiateSandboxUploadAsync(HttpContext context)
    {
        if (!Authorized(context))
            return Unauthenticated();
        if (Malformed("sandbox"))
            return MalformedAnswer();
        var info = await JsonNode.ParseAsync(context.Request.Body);
        var algorithm = info?["checksum_algorithm"]?.GetValue<string>();
        var checksum = info?["checksum"]?.GetValue<string>() ?? "";
        var size = info?["size"]?.GetValue<long>() ?? 0;
        var format = info?["format"]?.GetValue<string>();
        if (algorithm != "sha256" || !ChecksumPattern().IsMatch(checksum) || size < 1 || format is not ("tar.bz2" or "tar.zst"))
            return Problem(422, "Invalid SandboxInfo");
        var key = $"diracx/user/orchestrator/sha256:{checksum.ToLowerInvariant()}.{format}";
        var pfn = $"SB:{StorageElement}|/S3/{Bucket}/{key}";
        lock (_lock)
        {
            if (_store.ContainsKey(key))
                return Results.Json(new JsonObject { ["pfn"] = pfn });
        }

        return Results.Json(new JsonObject
        {
            ["pfn"] = pfn,
            ["url"] = $"{BaseAddress}s3/{Bucket}",
            ["fields"] = new JsonObject
            {
                ["key"] = key,
                ["x-amz-checksum-algorithm"] = "sha256",
                ["x-amz-checksum-sha256"] = Convert.ToBase64String(Convert.FromHexString(checksum)),
                ["policy"] = "double-policy",
                ["x-amz-signature"] = "double-signature",
            },
        });
    }

    /// <summary>The S3 presigned POST: the checksum in the signed fields must match the file.</summary>
    async Task<IResult> StoreUploadAsync(HttpContext context)
    {
        if (context.Request.Headers.Authorization.Count > 0)
            return Problem(400, "A presigned request must not carry an Authorization header");
        var form = await context.Request.ReadFormAsync();
        var file = form.Files["file"];
        if (file is null || form["key"].Count == 0 || form["x-amz-signature"] != "double-signature")
            return Problem(400, "key, signature and file are required");
        using var content = new MemoryStream();
        await file.CopyToAsync(content);
        var bytes = content.ToArray();
        if (Convert.ToBase64String(SHA256.HashData(bytes)) != form["x-amz-checksum-sha256"])
            return Problem(400, "The checksum does not match the file");
        lock (_lock)
            _store[form["key"]!] = bytes;
        return Results.NoContent();
    }

    IResult GetSandboxFile(HttpContext context)
    {
        if (!Authorized(context))
            return Unauthenticated();
        var pfn = context.Request.Query["pfn"].ToString();
        var key = KeyOf(pfn);
        lock (_lock)
        {
            if (key is null || !_store.ContainsKey(key))
                return Problem(404, $"No sandbox {pfn}");
        }

        return Results.Json(new JsonObject { ["url"] = $"{BaseAddress}s3/{Bucket}/{key}?X-Amz-Signature=double", ["expires_in"] = 300 });
    }

    IResult StoreDownload(HttpContext context, string key)
    {
        if (context.Request.Headers.Authorization.Count > 0)
            return Problem(400, "A presigned request must not carry an Authorization header");
        lock (_lock)
            return _store.TryGetValue(key, out var bytes) ? Results.Bytes(bytes, "application/octet-stream") : Problem(404, "NoSuchKey");
    }

    async Task<IResult> SubmitJdlAsync(HttpContext context)
    {
        if (!Authorized(context))
            return Unauthenticated();
        if (Malformed("jdl"))
            return MalformedAnswer();
        var jdls = await JsonSerializer.DeserializeAsync<List<string>>(context.Request.Body) ?? [];
        var inserted = new JsonArray();
        foreach (var jdl in jdls)
        {
            var attributes = JdlAttributes(jdl);
            var input = Regex.Match(attributes.GetValueOrDefault("InputSandbox", ""), "\"([^\"]+)\"").Groups[1].Value;
            lock (_lock)
            {
                if (KeyOf(input) is not { } key || !_store.ContainsKey(key))
                    return Problem(400, $"Input sandbox {input} was never uploaded");
                var job = new DiracDoubleJob
                {
                    JobId = ++_nextJobId,
                    Jdl = jdl,
                    Attributes = attributes,
                    InputSandboxKey = key,
                    Held = HoldNewJobs,
                    FailWith = FailNewJobsWith,
                };
                _jobs[job.JobId] = job;
                inserted.Add(new JsonObject
                {
                    ["JobID"] = job.JobId,
                    ["Status"] = job.Status,
                    ["MinorStatus"] = job.MinorStatus,
                    ["TimeStamp"] = DateTimeOffset.UtcNow.ToString("O"),
                });
            }
        }

        return Results.Json(inserted);
    }

    async Task<IResult> SearchAsync(HttpContext context)
    {
        if (!Authorized(context))
            return Unauthenticated();
        var body = await JsonNode.ParseAsync(context.Request.Body);
        if (Malformed("search"))
            return MalformedAnswer();
        var parameters = body?["parameters"]?.AsArray().Select(p => p!.GetValue<string>()).ToList()
                         ?? ["JobID", "Status", "MinorStatus", "ApplicationStatus"];
        var filters = body?["search"]?.AsArray() ?? [];
        List<DiracDoubleJob> matches;
        lock (_lock)
            matches = _jobs.Values.Where(j => filters.All(f => Matches(j, f!))).ToList();
        var rows = new JsonArray();
        foreach (var job in matches)
        {
            // Asked by id is how a client follows a job: each such look is a step of the job's life here.
            if (filters.Any(f => f!["parameter"]?.GetValue<string>() == "JobID"))
                Advance(job);
            var row = new JsonObject();
            lock (_lock)
            {
                foreach (var parameter in parameters)
                    row[parameter] = parameter switch
                    {
                        "JobID" => job.JobId,
                        "JobName" => job.JobName,
                        "Status" => job.Status,
                        "MinorStatus" => job.MinorStatus,
                        "ApplicationStatus" => job.ApplicationStatus,
                        "Owner" => "orchestrator",
                        _ => null,
                    };
            }

            rows.Add(row);
        }

        return Results.Json(rows);
    }

    async Task<IResult> SetJobStatusAsync(HttpContext context)
    {
        if (!Authorized(context))
            return Unauthenticated();
        var body = await JsonNode.ParseAsync(context.Request.Body) as JsonObject;
        var success = new JsonObject();
        var failed = new JsonObject();
        foreach (var (id, changes) in body ?? [])
        {
            foreach (var (time, change) in changes?.AsObject() ?? [])
            {
                if (!DateTimeOffset.TryParse(time, out _) || !time.Contains('+') && !time.EndsWith('Z'))
                    return Problem(400, $"Timestamp {time} is not timezone aware");
                var status = change?["Status"]?.GetValue<string>();
                lock (_lock)
                {
                    if (!long.TryParse(id, out var jobId) || !_jobs.TryGetValue(jobId, out var job))
                        failed[id] = new JsonObject { ["detail"] = "Not found" };
                    else if (status == "Killed" && FinalStates.Contains(job.Status))
                        failed[id] = new JsonObject { ["detail"] = $"Job state transition not allowed from {job.Status}" };
                    else if (status is not null)
                    {
                        Move(job, status, change?["MinorStatus"]?.GetValue<string>() ?? "idem");
                        success[id] = new JsonObject { ["Status"] = job.Status, ["MinorStatus"] = job.MinorStatus };
                    }
                }
            }
        }

        return Results.Json(new JsonObject { ["success"] = success, ["failed"] = failed });
    }

    IResult OutputSandbox(HttpContext context, long jobId)
    {
        if (!Authorized(context))
            return Unauthenticated();
        lock (_lock)
        {
            if (!_jobs.TryGetValue(jobId, out var job))
                return Problem(404, $"Job {jobId} not found");
            if (Take(_unavailable, "output"))
                return Problem(503, "Service Unavailable");
            return Results.Json(job.OutputSandboxPfn is null ? new JsonArray() : new JsonArray(job.OutputSandboxPfn));
        }
    }

    void Advance(DiracDoubleJob job)
    {
        string next;
        lock (_lock)
        {
            if (FinalStates.Contains(job.Status) || job.Status == "Running" && job.Held)
                return;
            var index = Array.IndexOf(Progression, job.Status);
            next = Progression[Math.Min(index + 1, Progression.Length - 1)];
            if (next != "Completing")
            {
                Move(job, next, next == "Running" ? "Application" : next == "Done" ? "Execution Complete" : "idem");
                return;
            }
        }

        // Running ends: the payload runs now, outside the lock, and its files become the output sandbox.
        var exitCode = job.FailWith is null ? Execute(job) : -1;
        lock (_lock)
        {
            if (job.Status != "Running")
                return;
            if (job.FailWith is { } reason)
                Move(job, "Failed", reason);
            else if (exitCode != 0)
                Move(job, "Failed", "Application Finished With Errors");
            else
                Move(job, "Completing", "Uploading Output Sandbox");
        }
    }

    static void Move(DiracDoubleJob job, string status, string minorStatus)
    {
        job.Status = status;
        if (minorStatus != "idem")
            job.MinorStatus = minorStatus;
        job.History.Add(status);
    }

    /// <summary>What a DIRAC worker does with the job: unpack, run, pack the outputs named by OutputSandbox.</summary>
    int Execute(DiracDoubleJob job)
    {
        var directory = Path.Combine(_workRoot, job.JobId.ToString());
        Directory.CreateDirectory(directory);
        byte[] input;
        lock (_lock)
            input = _store[job.InputSandboxKey];
        using (var bzip2 = new BZip2InputStream(new MemoryStream(input)))
            TarFile.ExtractToDirectory(bzip2, directory, overwriteFiles: true);

        var executable = job.Attributes["Executable"].Trim('"');
        var arguments = job.Attributes.GetValueOrDefault("Arguments", "").Trim('"');
        var stdout = job.Attributes["StdOutput"].Trim('"');
        var stderr = job.Attributes["StdError"].Trim('"');
        var start = new ProcessStartInfo("/bin/bash", ["-c", $"exec {executable} {arguments} > {stdout} 2> {stderr}"])
        {
            WorkingDirectory = directory,
        };
        foreach (Match variable in Regex.Matches(job.Attributes.GetValueOrDefault("ExecutionEnvironment", ""), "\"([^=\"]+)=([^\"]*)\""))
            start.Environment[variable.Groups[1].Value] = variable.Groups[2].Value;
        using var process = Process.Start(start)!;
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            process.Kill(entireProcessTree: true);
            return -1;
        }

        var patterns = Regex.Matches(job.Attributes.GetValueOrDefault("OutputSandbox", ""), "\"([^\"]+)\"").Select(m => m.Groups[1].Value);
        var output = patterns.SelectMany(p => Directory.GetFileSystemEntries(directory, p)).Distinct().ToList();
        using var archive = new MemoryStream();
        using (var zstd = new CompressionStream(archive, leaveOpen: true))
        using (var tar = new TarWriter(zstd, TarEntryFormat.Pax, leaveOpen: true))
            foreach (var path in output)
                AddToTar(tar, directory, path);
        var bytes = archive.ToArray();
        var key = $"diracx/user/orchestrator/sha256:{Convert.ToHexStringLower(SHA256.HashData(bytes))}.tar.zst";
        lock (_lock)
        {
            _store[key] = bytes;
            if (!LoseOutputSandboxes)
                job.OutputSandboxPfn = $"SB:{StorageElement}|/S3/{Bucket}/{key}";
        }

        return process.ExitCode;
    }

    static void AddToTar(TarWriter tar, string root, string path)
    {
        var name = Path.GetRelativePath(root, path);
        if (Directory.Exists(path))
        {
            foreach (var entry in Directory.GetFileSystemEntries(path))
                AddToTar(tar, root, entry);
            return;
        }

        tar.WriteEntry(path, name);
    }

    static bool Matches(DiracDoubleJob job, JsonNode filter)
    {
        var parameter = filter["parameter"]?.GetValue<string>();
        var value = filter["value"]?.ToString();
        return filter["operator"]?.GetValue<string>() == "eq" && parameter switch
        {
            "JobID" => job.JobId.ToString() == value,
            "JobName" => job.JobName == value,
            "Status" => job.Status == value,
            _ => false,
        };
    }

    static Dictionary<string, string> JdlAttributes(string jdl)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match attribute in JdlAttribute().Matches(jdl))
            attributes[attribute.Groups[1].Value] = attribute.Groups[2].Value.Trim();
        return attributes;
    }

    static string? KeyOf(string pfn)
    {
        var prefix = $"/S3/{Bucket}/";
        var path = pfn.Split('|', 2)[^1];
        return path.StartsWith(prefix, StringComparison.Ordinal) ? path[prefix.Length..] : null;
    }

    bool Authorized(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
            return false;
        lock (_lock)
            return _accessTokens.TryGetValue(header["Bearer ".Length..], out var expiry) && expiry > DateTimeOffset.UtcNow;
    }

    bool Malformed(string endpoint) => Take(_malformed, endpoint);

    static bool Take(ConcurrentDictionary<string, int> counts, string endpoint)
    {
        while (counts.TryGetValue(endpoint, out var left) && left > 0)
            if (counts.TryUpdate(endpoint, left - 1, left))
                return true;
        return false;
    }

    static IResult MalformedAnswer() => Results.Text("{\"JobID\": [1, \"Status\": ", "application/json");

    static IResult Unauthenticated() => Problem(401, "Invalid JWT");

    static IResult Problem(int status, string detail) =>
        Results.Json(new JsonObject { ["detail"] = detail }, statusCode: status);

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex ChecksumPattern();

    [GeneratedRegex(@"(\w+)\s*=\s*((?:\{[^}]*\})|(?:""(?:[^""\\]|\\.)*"")|[^;]+);")]
    private static partial Regex JdlAttribute();
}
