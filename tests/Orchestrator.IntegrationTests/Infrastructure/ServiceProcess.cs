using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;

namespace Orchestrator.IntegrationTests.Infrastructure;

/// <summary>One Orchestrator service started from its build output as a separate process.</summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    static readonly HttpClient Health = new() { Timeout = TimeSpan.FromSeconds(5) };
    readonly ConcurrentQueue<string> _output = new();
    readonly IReadOnlyDictionary<string, string> _environment;
    readonly IReadOnlyList<string> _launcher;
    Process? _process;

    /// <param name="launcher">A command the service is started through (it gets <c>dotnet</c> and the assembly as
    /// its last arguments and must exec them), e.g. <c>unshare</c> to give it a mount namespace of its own.</param>
    public ServiceProcess(string service, int port, IReadOnlyDictionary<string, string> environment, IReadOnlyList<string>? launcher = null)
    {
        Service = service;
        Port = port;
        _environment = environment;
        _launcher = launcher ?? [];
    }

    public string Service { get; }

    /// <summary>The settings it was started with, in environment form.</summary>
    public IReadOnlyDictionary<string, string> Settings => _environment;

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    public int? ProcessId => _process?.Id;

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The service's console output so far, for failure messages.</summary>
    public string Output => string.Join(Environment.NewLine, _output);

    public static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async Task StartAsync(TimeSpan? timeout = null)
    {
        Launch();

        await Eventually.UntilAsync(async () =>
        {
            if (_process!.HasExited)
                throw new InvalidOperationException($"{Service} exited with code {_process.ExitCode} while starting:{Environment.NewLine}{Output}");
            try
            {
                using var response = await Health.GetAsync(new Uri(BaseAddress, "/health"));
                return response.IsSuccessStatusCode;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or SocketException)
            {
                return false;
            }
        }, $"{Service} to answer /health", timeout ?? TimeSpan.FromSeconds(90));
    }

    /// <summary>
    /// Runs the service until it exits by itself, as it should on a broken configuration, and returns its exit code;
    /// everything it printed is in <see cref="Output"/>. A service still running at the deadline is killed.
    /// </summary>
    public async Task<int> RunToExitAsync(TimeSpan? timeout = null)
    {
        Launch();
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await _process!.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
            throw new TimeoutException($"{Service} was still running after {(timeout ?? TimeSpan.FromSeconds(60)).TotalSeconds:0}s:{Environment.NewLine}{Output}");
        }

        return _process.ExitCode;
    }

    void Launch()
    {
        var assembly = RepositoryPaths.ServiceAssembly(Service);
        if (!File.Exists(assembly))
            throw new FileNotFoundException($"{Service} is not built: {assembly} is missing.");

        var start = new ProcessStartInfo(_launcher.Count > 0 ? _launcher[0] : "dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (_launcher.Count > 0)
        {
            foreach (var argument in _launcher.Skip(1))
                start.ArgumentList.Add(argument);
            start.ArgumentList.Add("dotnet");
        }

        start.ArgumentList.Add(assembly);
        start.Environment["Urls"] = BaseAddress.ToString();
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in _environment)
            start.Environment[key] = value;

        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Ends the process at once, as a crash or kill -9 would.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: false);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
    }
}
