using System.Reflection;

namespace Orchestrator.IntegrationTests.Infrastructure;

public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The build of the tests decides which build of the services runs (Debug locally, Release in CI).</summary>
    public static string Configuration { get; } =
        typeof(RepositoryPaths).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    public static string ServiceAssembly(string service) =>
        Path.Combine(Root, "services", service, "bin", Configuration, "net10.0", $"Orchestrator.{service}.dll");

    static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Orchestrator.sln")))
            directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("Orchestrator.sln not found above the test assembly.");
    }
}
