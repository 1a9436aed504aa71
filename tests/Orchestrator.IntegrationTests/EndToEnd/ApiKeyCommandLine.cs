using Orchestrator.IntegrationTests.Infrastructure;

namespace Orchestrator.IntegrationTests.EndToEnd;

/// <summary>Runs <c>Orchestrator.Api keys ...</c> against a system's database, as an operator would.</summary>
public static class ApiKeyCommandLine
{
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(OrchestratorSystem system, params string[] arguments) =>
        RunAsync(system.Environment, arguments);

    /// <summary>Runs the command with <paramref name="environment"/>, the settings of the Api instances it manages keys for.</summary>
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var assembly = RepositoryPaths.ServiceAssembly("Api");
        var settings = new Dictionary<string, string> { ["DOTNET_ENVIRONMENT"] = "Production" };
        foreach (var (key, value) in environment)
            settings[key] = value;
        return ExternalProgram.RunAsync("dotnet", [assembly, "keys", .. arguments], TimeSpan.FromSeconds(120), settings,
            Path.GetDirectoryName(assembly)!);
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
