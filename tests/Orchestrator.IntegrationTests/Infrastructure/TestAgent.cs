namespace Orchestrator.IntegrationTests.Infrastructure;

/// <summary>
/// Our jobd agent (<c>services/Agent</c>) as a child process with a data directory of its own. It can be killed
/// (SIGKILL, its payloads' processes live on in their own sessions) and started again on the same port and data.
/// </summary>
public sealed class TestAgent : IAsyncDisposable
{
    ServiceProcess _process;

    TestAgent(string dataPath, int port)
    {
        DataPath = dataPath;
        _process = new ServiceProcess("Agent", port, Settings(dataPath));
        Http = new HttpClient { BaseAddress = _process.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public string DataPath { get; }

    public Uri BaseAddress => _process.BaseAddress;

    public int Port => _process.Port;

    public HttpClient Http { get; }

    public bool IsRunning => _process.IsRunning;

    public string Output => _process.Output;

    public static async Task<TestAgent> StartAsync(int? port = null)
    {
        var dataPath = Path.Combine(Path.GetTempPath(), $"orch-agent-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dataPath);
        var agent = new TestAgent(dataPath, port ?? ServiceProcess.FreePort());
        await agent._process.StartAsync();
        return agent;
    }

    public Task KillAsync() => _process.KillAsync();

    /// <summary>Starts it again (after <see cref="KillAsync"/>) on the same port and data directory.</summary>
    public async Task StartAgainAsync()
    {
        await _process.DisposeAsync();
        _process = new ServiceProcess("Agent", _process.Port, Settings(DataPath));
        await _process.StartAsync();
    }

    static Dictionary<string, string> Settings(string dataPath) => new()
    {
        ["Agent__DataPath"] = dataPath,
        ["Agent__PollInterval"] = "00:00:00.100",
        ["Agent__KillGrace"] = "00:00:02",
    };

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        Http.Dispose();
        // Payloads still running (a test that failed half way) would otherwise outlive the test run.
        foreach (var state in Directory.Exists(Path.Combine(DataPath, "state")) ? Directory.GetFiles(Path.Combine(DataPath, "state"), "*.json") : [])
        {
            try
            {
                using var json = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(state));
                if (json.RootElement.TryGetProperty("Pid", out var pid) && pid.GetInt32() > 0
                    && json.RootElement.GetProperty("Status").GetString() == "Running")
                    ProcessGroups.Kill(pid.GetInt32());
            }
            catch (Exception ex) when (ex is IOException or System.Text.Json.JsonException)
            {
            }
        }

        try
        {
            Directory.Delete(DataPath, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
