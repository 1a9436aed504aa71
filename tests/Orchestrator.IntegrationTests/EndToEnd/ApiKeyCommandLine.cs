using System.Diagnostics;
using Orchestrator.IntegrationTests.Infrastructure;

namespace Orchestrator.IntegrationTests.EndToEnd;

/// <summary>Runs <c>Orchestrator.Api keys ...</c> against a system's database, as an operator would.</summary>
public static class ApiKeyCommandLine
{
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(OrchestratorSystem system, params string[] arguments) =>
        RunAsync(system.Environment, arguments);

    /// <summary>Runs the command with <paramref name="environment"/>, the settings of the Api instances it manages keys for.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var assembly = RepositoryPaths.ServiceAssembly("Api");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(assembly);
        start.ArgumentList.Add("keys");
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment)
            start.Environment[key] = value;

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(deadline.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Creates a key and returns it; the command prints it alone on standard output.</summary>
    public static Task<string> CreateAsync(OrchestratorSystem system, string role, string name) =>
        CreateAsync(system.Environment, role, name);

    public static async Task<string> CreateAsync(IReadOnlyDictionary<string, string> environment, string role, string name)
    {
        var (code, stdout, stderr) = await RunAsync(environment, "create", "--role", role, "--name", name);
        if (code != 0)
            throw new Xunit.Sdk.XunitException($"keys create exited with {code}: {stderr}");
        return stdout.Trim();
    }
}
