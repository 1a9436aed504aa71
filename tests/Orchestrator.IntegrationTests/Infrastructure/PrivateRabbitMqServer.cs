namespace Orchestrator.IntegrationTests.Infrastructure;

/// <summary>
/// A RabbitMQ node of one test's own (its own name, ports and data directory, management API included), so the test
/// may stop and start it while the shared broker other tests use stays up. Durable queues and persistent messages
/// survive a restart, as on a real broker.
/// </summary>
public sealed class PrivateRabbitMqServer : IAsyncDisposable
{
    readonly string _directory;
    readonly Dictionary<string, string> _environment;

    PrivateRabbitMqServer(string node, int port, int managementPort, string directory, Dictionary<string, string> environment)
    {
        Node = node;
        Port = port;
        ManagementPort = managementPort;
        _directory = directory;
        _environment = environment;
    }

    public string Node { get; }

    public int Port { get; }

    public int ManagementPort { get; }

    public static async Task<PrivateRabbitMqServer> StartAsync()
    {
        var id = Guid.NewGuid().ToString("N")[..10];
        var directory = Path.Combine(Path.GetTempPath(), $"orch-rabbit-{id}");
        Directory.CreateDirectory(Path.Combine(directory, "mnesia"));
        Directory.CreateDirectory(Path.Combine(directory, "log"));
        var port = ServiceProcess.FreePort();
        var managementPort = ServiceProcess.FreePort();
        var distributionPort = ServiceProcess.FreePort();
        await File.WriteAllTextAsync(Path.Combine(directory, "enabled_plugins"), "[rabbitmq_management].\n");
        await File.WriteAllTextAsync(Path.Combine(directory, "rabbitmq.conf"), $"""
            listeners.tcp.default = 127.0.0.1:{port}
            management.tcp.ip = 127.0.0.1
            management.tcp.port = {managementPort}
            """);
        // The Debian start script runs the broker as the rabbitmq user, which must own the node's files.
        await RunAsync("chown", ["-R", "rabbitmq:rabbitmq", directory], new Dictionary<string, string>());

        var node = $"orch-{id}@localhost";
        var environment = new Dictionary<string, string>
        {
            ["RABBITMQ_NODENAME"] = node,
            ["RABBITMQ_DIST_PORT"] = distributionPort.ToString(),
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(directory, "mnesia"),
            ["RABBITMQ_LOG_BASE"] = Path.Combine(directory, "log"),
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(directory, "enabled_plugins"),
            ["RABBITMQ_CONFIG_FILE"] = Path.Combine(directory, "rabbitmq.conf"),
            ["RABBITMQ_PID_FILE"] = Path.Combine(directory, "rabbit.pid"),
        };
        var server = new PrivateRabbitMqServer(node, port, managementPort, directory, environment);
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts the stopped node on the same ports and data.</summary>
    public async Task StartAgainAsync()
    {
        var (exit, output) = await RunAsync("rabbitmq-server", ["-detached"], _environment);
        if (exit != 0)
            throw new InvalidOperationException($"rabbitmq-server -detached failed ({exit}): {output}");
        // The detached node registers with epmd a moment after the command returns; until then await_startup fails.
        await Eventually.UntilAsync(async () => (await RunAsync("rabbitmqctl", ["-n", Node, "await_startup", "--timeout", "10"], _environment)).Exit == 0,
            $"RabbitMQ node {Node} to start", TimeSpan.FromSeconds(120));
        await Eventually.UntilAsync(async () =>
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            try
            {
                using var response = await client.GetAsync($"http://127.0.0.1:{ManagementPort}/api/overview");
                return response.StatusCode == System.Net.HttpStatusCode.Unauthorized || response.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, $"the management API of {Node}", TimeSpan.FromSeconds(60));
    }

    /// <summary>Stops the node (as an operator's restart would); clients see their connections drop.</summary>
    public async Task StopAsync()
    {
        var (exit, output) = await RunAsync("rabbitmqctl", ["-n", Node, "stop"], _environment);
        if (exit != 0 && !output.Contains("not running", StringComparison.OrdinalIgnoreCase)
            && !output.Contains("nodedown", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"rabbitmqctl stop failed ({exit}): {output}");
    }

    public async ValueTask DisposeAsync()
    {
        await RunAsync("rabbitmqctl", ["-n", Node, "stop"], _environment);
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    static async Task<(int Exit, string Output)> RunAsync(string file, string[] arguments, IReadOnlyDictionary<string, string> environment)
    {
        var (exit, output, errors) = await ExternalProgram.RunAsync(file, arguments, TimeSpan.FromMinutes(2), environment);
        return (exit, output + errors);
    }
}
