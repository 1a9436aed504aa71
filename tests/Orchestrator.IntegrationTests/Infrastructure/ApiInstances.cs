using System.Net.Http.Headers;

namespace Orchestrator.IntegrationTests.Infrastructure;

/// <summary>
/// Api processes alone, several instances of one deployment, against real RabbitMQ and PostgreSQL with a database,
/// virtual host and jobs directory of their own. For what the Api decides by itself (keys, queue limits), where the
/// other services would only add start-up time. Jobs stay Submitted: no scheduler takes them.
/// </summary>
public sealed class ApiInstances : IAsyncDisposable
{
    readonly List<ServiceProcess> _instances = [];
    readonly List<HttpClient> _clients = [];

    ApiInstances(TestDatabase database, TestVirtualHost virtualHost, string jobsRoot, Dictionary<string, string> environment)
    {
        Database = database;
        VirtualHost = virtualHost;
        JobsRoot = jobsRoot;
        Environment = environment;
    }

    public TestDatabase Database { get; }

    public TestVirtualHost VirtualHost { get; }

    public string JobsRoot { get; }

    /// <summary>The settings every instance (and the <c>keys</c> command) runs with, in environment form.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    public ServiceProcess this[int instance] => _instances[instance];

    public static async Task<ApiInstances> StartAsync(int count, IReadOnlyDictionary<string, string>? settings = null)
    {
        var database = await TestDatabase.CreateAsync();
        var virtualHost = await TestVirtualHost.CreateAsync();
        var jobsRoot = Path.Combine(Path.GetTempPath(), $"orch-jobs-{Guid.NewGuid():N}");
        Directory.CreateDirectory(jobsRoot);
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Orchestrator"] = database.ConnectionString,
            ["RabbitMq__VirtualHost"] = virtualHost.Name,
            ["RabbitMq__Port"] = virtualHost.Port.ToString(),
            ["Orchestrator__Storage__JobsRoot"] = jobsRoot,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            environment[key] = value;

        var instances = new ApiInstances(database, virtualHost, jobsRoot, environment);
        try
        {
            // One after another: the first applies the migrations the others then find done.
            for (var i = 0; i < count; i++)
            {
                var process = new ServiceProcess("Api", ServiceProcess.FreePort(), environment);
                instances._instances.Add(process);
                await process.StartAsync();
            }
        }
        catch
        {
            await instances.DisposeAsync();
            throw;
        }

        return instances;
    }

    /// <summary>A client of one instance, sending <paramref name="key"/> when given; disposed with the instances.</summary>
    public HttpClient Client(int instance, string? key = null)
    {
        var client = new HttpClient { BaseAddress = _instances[instance].BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (key is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        _clients.Add(client);
        return client;
    }

    /// <summary>Kills one instance and starts it again on the same port and settings.</summary>
    public async Task RestartAsync(int instance)
    {
        var previous = _instances[instance];
        await previous.DisposeAsync();
        var again = new ServiceProcess("Api", previous.Port, previous.Settings);
        _instances[instance] = again;
        await again.StartAsync();
    }

    /// <summary>Everything the instances printed, for failure messages.</summary>
    public string Logs => string.Join(System.Environment.NewLine,
        _instances.Select((p, i) => $"===== Api {i} ====={System.Environment.NewLine}{p.Output}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
            client.Dispose();
        foreach (var instance in _instances)
            await instance.DisposeAsync();
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
