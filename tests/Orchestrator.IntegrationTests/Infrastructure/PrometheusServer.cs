using System.Diagnostics;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;

namespace Orchestrator.IntegrationTests.Infrastructure;

/// <summary>
/// A real Prometheus (the Debian package, installed by <c>deploy/scripts/install-prometheus.sh</c> when absent) with a
/// configuration and storage of its own, scraping the given targets every second on loopback.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    readonly string _root;
    readonly ConcurrentQueue<string> _output = new();
    readonly Process _process;

    PrometheusServer(string root, int port, Process process)
    {
        _root = root;
        _process = process;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
    }

    public Uri BaseAddress { get; }

    public string Output => string.Join(Environment.NewLine, _output);

    /// <summary>Starts Prometheus scraping <c>/metrics</c> of each target, labelled <c>service</c> by its name.</summary>
    public static async Task<PrometheusServer> StartAsync(IReadOnlyDictionary<string, Uri> targets)
    {
        var executable = await EnsureInstalledAsync();
        var root = Path.Combine(Path.GetTempPath(), $"orch-prom-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        var config = Path.Combine(root, "prometheus.yml");
        await File.WriteAllTextAsync(config, Configuration(targets));
        var port = ServiceProcess.FreePort();

        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = root,
        };
        foreach (var argument in new[]
                 {
                     $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(root, "data")}",
                     $"--web.listen-address=127.0.0.1:{port}", "--storage.tsdb.retention.time=1h",
                 })
            start.ArgumentList.Add(argument);
        var process = Process.Start(start) ?? throw new InvalidOperationException("prometheus did not start");
        var server = new PrometheusServer(root, port, process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) server._output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) server._output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await Eventually.UntilAsync(async () =>
            {
                if (process.HasExited)
                    throw new InvalidOperationException($"prometheus exited with {process.ExitCode}:{Environment.NewLine}{server.Output}");
                try
                {
                    using var ready = await Http.GetAsync(new Uri(server.BaseAddress, "/-/ready"));
                    return ready.IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, "Prometheus to be ready");
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>Evaluates an instant PromQL query; each series of the answer as its labels and value.</summary>
    public async Task<IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, double Value)>> QueryAsync(string promql)
    {
        var uri = new Uri(BaseAddress, $"/api/v1/query?query={Uri.EscapeDataString(promql)}");
        using var response = await Http.GetAsync(uri);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"Prometheus refused '{promql}': {(int)response.StatusCode} {body}");
        var data = JsonDocument.Parse(body).RootElement.GetProperty("data");
        return data.GetProperty("result").EnumerateArray()
            .Select(series => (
                (IReadOnlyDictionary<string, string>)series.GetProperty("metric").EnumerateObject()
                    .ToDictionary(l => l.Name, l => l.Value.GetString() ?? ""),
                double.Parse(series.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture)))
            .ToList();
    }

    /// <summary>The single value of a query that sums to one series, 0 when it has none (a counter never moved).</summary>
    public async Task<double> ScalarAsync(string promql)
    {
        var result = await QueryAsync(promql);
        return result.Count == 0 ? 0 : result.Single().Value;
    }

    static string Configuration(IReadOnlyDictionary<string, Uri> targets)
    {
        var lines = new List<string>
        {
            "global:",
            "  scrape_interval: 1s",
            "  evaluation_interval: 1s",
            "scrape_configs:",
        };
        foreach (var (name, address) in targets)
        {
            lines.Add($"  - job_name: '{name}'");
            lines.Add("    metrics_path: /metrics");
            lines.Add("    static_configs:");
            lines.Add($"      - targets: ['{address.Authority}']");
            lines.Add("        labels:");
            lines.Add($"          service_name: '{name}'");
        }

        return string.Join('\n', lines) + "\n";
    }

    /// <summary>promtool, which the prometheus package installs beside the server.</summary>
    public static async Task<string> PromtoolAsync()
    {
        var promtool = Path.Combine(Path.GetDirectoryName(await EnsureInstalledAsync())!, "promtool");
        return File.Exists(promtool) ? promtool : throw new InvalidOperationException($"no promtool beside prometheus ({promtool})");
    }

    /// <summary>Finds prometheus on the PATH, installing the Debian package through the project's script first.</summary>
    static async Task<string> EnsureInstalledAsync()
    {
        if (Find() is { } found)
            return found;
        var script = Path.Combine(RepositoryPaths.Root, "deploy", "scripts", "install-prometheus.sh");
        var (exitCode, output, error) = await ExternalProgram.RunAsync("bash", [script], Timeout.InfiniteTimeSpan);
        if (exitCode != 0)
            throw new InvalidOperationException($"{script} failed with {exitCode}:{Environment.NewLine}{output}{error}");
        return Find() ?? throw new InvalidOperationException($"{script} ran, yet no prometheus is on the PATH.");
    }

    static string? Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin")
            .Select(d => Path.Combine(d, "prometheus"))
            .FirstOrDefault(File.Exists);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
