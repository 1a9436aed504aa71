using System.Net.Http.Headers;

namespace Orchestrator.IntegrationTests.Infrastructure;

/// <summary>
/// The four services as separate processes against real RabbitMQ and PostgreSQL, with a database, a virtual host,
/// ports and a jobs directory of their own, so systems under test never see each other.
/// </summary>
public sealed class OrchestratorSystem : IAsyncDisposable
{
    public static readonly string[] AllServices = ["Api", "Scheduler", "Executor", "Janitor"];

    readonly Dictionary<string, ServiceProcess> _services = new();

    OrchestratorSystem(TestDatabase database, TestVirtualHost virtualHost, string jobsRoot, Dictionary<string, string> environment)
    {
        Database = database;
        VirtualHost = virtualHost;
        JobsRoot = jobsRoot;
        Environment = environment;
    }

    public TestDatabase Database { get; }

    public TestVirtualHost VirtualHost { get; }

    public string JobsRoot { get; }

    public IReadOnlyDictionary<string, string> Environment { get; }

    public HttpClient Api { get; private set; } = null!;

    public ServiceProcess this[string service] => _services[service];

    /// <summary>
    /// Starts the system; <paramref name="settings"/> are configuration keys in environment form. With
    /// <paramref name="broker"/> it talks to that private RabbitMQ node instead of the shared one, with
    /// <paramref name="postgres"/> to that private PostgreSQL server.
    /// </summary>
    public static async Task<OrchestratorSystem> StartAsync(IReadOnlyDictionary<string, string>? settings = null,
        PrivateRabbitMqServer? broker = null, PrivatePostgresServer? postgres = null)
    {
        var database = await TestDatabase.CreateAsync(postgres?.ConnectionString());
        var virtualHost = await TestVirtualHost.CreateAsync(broker);
        var jobsRoot = Path.Combine(Path.GetTempPath(), $"orch-jobs-{Guid.NewGuid():N}");
        Directory.CreateDirectory(jobsRoot);
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Orchestrator"] = database.ConnectionString,
            ["RabbitMq__VirtualHost"] = virtualHost.Name,
            ["RabbitMq__Port"] = virtualHost.Port.ToString(),
            ["Orchestrator__Storage__JobsRoot"] = jobsRoot,
            ["Executor__InstanceId"] = $"test-executor-{Guid.NewGuid():N}",
            ["Outbox__PollInterval"] = "00:00:00.200",
            ["MessageScheduler__PollInterval"] = "00:00:00.200",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            environment[key] = value;

        var system = new OrchestratorSystem(database, virtualHost, jobsRoot, environment);
        try
        {
            foreach (var service in AllServices)
                await system.StartServiceAsync(service);
        }
        catch
        {
            await system.DisposeAsync();
            throw;
        }

        return system;
    }

    /// <summary>Starts (or starts again, on the same port and settings) a service or an instance named earlier.</summary>
    public async Task StartServiceAsync(string service)
    {
        if (_services.TryGetValue(service, out var previous))
        {
            var again = new ServiceProcess(previous.Service, previous.Port, previous.Settings);
            _services[service] = again;
            await again.StartAsync();
            return;
        }

        var process = new ServiceProcess(service, ServiceProcess.FreePort(), Environment);
        _services[service] = process;
        await process.StartAsync();
        if (service == "Api")
            Api ??= new HttpClient { BaseAddress = process.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>
    /// Starts one more instance of <paramref name="service"/> under <paramref name="name"/> with settings of its own
    /// on top of the system's, e.g. an executor for another destination
    /// (<c>StartInstanceAsync("Executor-slurm", "Executor", new() { ["Executor__Destination"] = "slurm" })</c>).
    /// The indexer, <see cref="StartServiceAsync"/> and <see cref="RestartServiceAsync"/> then take that name.
    /// </summary>
    public async Task<ServiceProcess> StartInstanceAsync(string name, string service, IReadOnlyDictionary<string, string> settings)
    {
        var environment = new Dictionary<string, string>(Environment);
        foreach (var (key, value) in settings)
            environment[key] = value;
        var process = new ServiceProcess(service, ServiceProcess.FreePort(), environment);
        _services[name] = process;
        await process.StartAsync();
        return process;
    }

    public async Task RestartServiceAsync(string service)
    {
        await _services[service].KillAsync();
        await StartServiceAsync(service);
    }

    /// <summary>Submits a job like the README's curl example.</summary>
    public async Task<HttpResponseMessage> UploadAsync(string script, int userId = 1, string service = "generic",
        IReadOnlyDictionary<string, string>? extraFiles = null)
    {
        using var form = new MultipartFormDataContent();
        var scriptContent = new StringContent(script);
        scriptContent.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(scriptContent, "file", "run.sh");
        foreach (var (name, content) in extraFiles ?? new Dictionary<string, string>())
            form.Add(new StringContent(content), "file", name);
        form.Add(new StringContent(userId.ToString()), "user_id");
        form.Add(new StringContent(service), "service");
        return await Api.PostAsync("/upload", form);
    }

    /// <summary>Everything the services printed, for failure messages.</summary>
    public string Logs => string.Join(System.Environment.NewLine,
        _services.Select(s => $"===== {s.Key} ====={System.Environment.NewLine}{s.Value.Output}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var service in _services.Values)
            await service.DisposeAsync();
        Api?.Dispose();
        await VirtualHost.DisposeAsync();
        await Database.DisposeAsync();
        try
        {
            Directory.Delete(JobsRoot, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
