using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Orchestrator.IntegrationTests.Infrastructure;

namespace Orchestrator.IntegrationTests.EndToEnd;

/// <summary>
/// One system with API keys for the hostile-input suite: an admin key made with the <c>keys</c> command, two portals
/// and two users made through <c>/admin/keys</c>, small upload limits, and a finished bystander job every test checks
/// is left alone.
/// </summary>
public sealed class HostileInputFixture : IAsyncLifetime
{
    public const int MaxUploadBytes = 200_000;
    public const int MaxFileBytes = 100_000;
    public const int MaxFiles = 8;
    public const int MaxFields = 8;

    /// <summary>A service without the sensitive-path rules, for jobs that must be able to name /etc/passwd.</summary>
    public const string PermissiveService = "prodigy";

    public OrchestratorSystem System { get; private set; } = null!;

    public string AdminKey { get; private set; } = null!;

    public HttpClient Admin { get; private set; } = null!;

    public HttpClient PortalA { get; private set; } = null!;

    public HttpClient PortalB { get; private set; } = null!;

    /// <summary>A user key bound to user 7.</summary>
    public HttpClient User7 { get; private set; } = null!;

    /// <summary>A user key bound to user 8.</summary>
    public HttpClient User8 { get; private set; } = null!;

    public HttpClient Anonymous { get; private set; } = null!;

    public long BystanderId { get; private set; }

    public string BystanderDirectory { get; private set; } = null!;

    public string BystanderSnapshot { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        System = await OrchestratorSystem.StartAsync(new Dictionary<string, string>
        {
            ["Api__MaxUploadBytes"] = MaxUploadBytes.ToString(),
            ["Api__MaxFileBytes"] = MaxFileBytes.ToString(),
            ["Api__MaxFiles"] = MaxFiles.ToString(),
            ["Api__MaxFields"] = MaxFields.ToString(),
            [$"Orchestrator__Services__{PermissiveService}__ScriptPolicy__SensitivePaths"] = "false",
        });
        AdminKey = await ApiKeyCommandLine.CreateAsync(System, "admin", "hostile-admin");
        Anonymous = Client(null);
        // The running Api learns of a key made by the command within Api:KeyCacheDuration; from then on every test
        // here sees keys required.
        await Eventually.UntilAsync(async () =>
        {
            using var response = await Anonymous.GetAsync("/v1/jobs");
            return response.StatusCode;
        }, status => status == HttpStatusCode.Unauthorized, "the Api to require keys once the first one exists", TimeSpan.FromSeconds(20));
        Admin = Client(AdminKey);
        // The shared helpers (job status, waiting for the end) go through System.Api, which now needs a key.
        System.Api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        PortalA = Client(await CreateKeyAsync("portal-a", "portal", null));
        PortalB = Client(await CreateKeyAsync("portal-b", "portal", null));
        User7 = Client(await CreateKeyAsync("user-7", "user", 7));
        User8 = Client(await CreateKeyAsync("user-8", "user", 8));

        using var upload = await Upload(PortalA, "echo bystander > out.txt\n", userId: 1);
        var body = await upload.Content.ReadFromJsonAsync<JsonElement>();
        if (upload.StatusCode != HttpStatusCode.Created)
            throw new InvalidOperationException($"The bystander job was refused: {body}");
        BystanderId = body.GetProperty("id").GetInt64();
        BystanderDirectory = body.GetProperty("loc").GetString()!;
        var job = await System.WaitForFinalStateAsync(BystanderId);
        if (job.State() != "Completed")
            throw new InvalidOperationException($"The bystander job ended {job.State()}: {job.Error()}");
        BystanderSnapshot = Snapshot(BystanderDirectory);
    }

    public async Task<string> CreateKeyAsync(string name, string role, int? userId)
    {
        using var response = await Admin.PostAsJsonAsync("/admin/keys", new { name, role, userId });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (response.StatusCode != HttpStatusCode.Created)
            throw new InvalidOperationException($"Creating key {name} answered {(int)response.StatusCode}: {body}");
        return body.GetProperty("key").GetString()!;
    }

    public HttpClient Client(string? key)
    {
        var client = new HttpClient { BaseAddress = System.Api.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (key is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>Submits like the README's curl example, through <paramref name="client"/>.</summary>
    public static async Task<HttpResponseMessage> Upload(HttpClient client, string script, int? userId = 1, string service = "generic",
        IReadOnlyDictionary<string, string>? extraFiles = null)
    {
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent(script), "file", "run.sh");
        foreach (var (name, content) in extraFiles ?? new Dictionary<string, string>())
            form.Add(new StringContent(content), "file", name);
        if (userId is not null)
            form.Add(new StringContent(userId.Value.ToString()), "user_id");
        form.Add(new StringContent(service), "service");
        return await client.PostAsync("/upload", form);
    }

    /// <summary>
    /// Files under <paramref name="root"/>, not following symbolic links: the jobs of this suite plant links to
    /// <c>..</c> and <c>/etc</c>, which a plain recursive enumeration would follow round and round.
    /// </summary>
    public static IEnumerable<string> FilesUnder(string root) =>
        Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint });

    /// <summary>Names and contents of a job's files, to tell whether anything touched them.</summary>
    public static string Snapshot(string directory) =>
        string.Join('\n', Directory.EnumerateFileSystemEntries(directory, "*",
                new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint }).Order(StringComparer.Ordinal)
            .Select(path => File.Exists(path)
                ? $"{Path.GetRelativePath(directory, path)} {Convert.ToHexString(global::System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)))}"
                : Path.GetRelativePath(directory, path) + "/"));

    public async Task DisposeAsync()
    {
        foreach (var client in new[] { Admin, PortalA, PortalB, User7, User8, Anonymous })
            client?.Dispose();
        await System.DisposeAsync();
    }
}
