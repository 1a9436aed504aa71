using Orchestrator.IntegrationTests.Infrastructure;

namespace Orchestrator.IntegrationTests.EndToEnd;

/// <summary>Services started on their own: a broken configuration is an operator's message, and a fresh database can
/// be migrated by instances starting together.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class ConfigurationTests : IAsyncLifetime
{
    readonly string _jobsRoot = Path.Combine(Path.GetTempPath(), $"orch-jobs-{Guid.NewGuid():N}");
    TestDatabase _database = null!;
    TestVirtualHost _virtualHost = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_jobsRoot);
        _database = await TestDatabase.CreateAsync();
        _virtualHost = await TestVirtualHost.CreateAsync();
    }

    public async Task DisposeAsync()
    {
        await _virtualHost.DisposeAsync();
        // Dropping can meet a backend this role may not terminate (autovacuum visiting the fresh schema): retry.
        await Eventually.UntilAsync(async () =>
        {
            try
            {
                await _database.DisposeAsync();
                return true;
            }
            catch (Npgsql.PostgresException ex) when (ex.SqlState == Npgsql.PostgresErrorCodes.InsufficientPrivilege)
            {
                return false;
            }
        }, $"database {_database.Name} to be dropped", TimeSpan.FromSeconds(30));
        Directory.Delete(_jobsRoot, recursive: true);
    }

    [Theory]
    [InlineData("Scheduler", "Orchestrator__Services__generic__Destination", "nowhere", "Orchestrator:Services:generic:Destination")]
    [InlineData("Scheduler", "Orchestrator__Retention", "-00:00:01", "Orchestrator:Retention")]
    [InlineData("Api", "Orchestrator__Storage__JobsRoot", "relative/jobs", "Orchestrator:Storage:JobsRoot")]
    [InlineData("Executor", "Executor__MaxConcurrentJobs", "0", "Executor:MaxConcurrentJobs")]
    [InlineData("Janitor", "Orchestrator__Retention", "00:00:00", "Orchestrator:Retention")]
    public async Task A_service_with_an_invalid_setting_exits_with_code_2_naming_the_setting_without_a_stack_trace(
        string service, string key, string value, string setting)
    {
        await using var process = new ServiceProcess(service, ServiceProcess.FreePort(), Environment((key, value)));

        var exitCode = await process.RunToExitAsync();

        var output = process.Output;
        Assert.True(exitCode == 2, $"{service} exited with {exitCode}:{System.Environment.NewLine}{output}");
        Assert.Contains("Configuration error", output);
        Assert.Contains(setting, output);
        Assert.DoesNotContain(output.Split('\n'), line => line.StartsWith("   at ", StringComparison.Ordinal));
        // Refused before migrating: a broken configuration leaves the database alone.
        Assert.Equal(0, await _database.ScalarAsync<long>(
            "SELECT count(*) FROM information_schema.schemata WHERE schema_name IN ('api', 'scheduler', 'executor')"));
    }

    [Fact]
    public async Task Two_schedulers_starting_together_on_a_fresh_database_both_become_healthy()
    {
        var environment = Environment();
        await using var first = new ServiceProcess("Scheduler", ServiceProcess.FreePort(), environment);
        await using var second = new ServiceProcess("Scheduler", ServiceProcess.FreePort(), environment);

        await Task.WhenAll(first.StartAsync(), second.StartAsync());

        Assert.True(first.IsRunning, first.Output);
        Assert.True(second.IsRunning, second.Output);
        // Each found the schema complete, whichever of them applied it.
        Assert.Contains("Database schema of SchedulerDbContext is up to date", first.Output);
        Assert.Contains("Database schema of SchedulerDbContext is up to date", second.Output);
        var migrations = Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "services", "Scheduler", "Persistence", "Migrations"), "*.cs")
            .Count(f => !f.EndsWith(".Designer.cs", StringComparison.Ordinal) && !f.EndsWith("ModelSnapshot.cs", StringComparison.Ordinal));
        Assert.Equal(migrations, await _database.ScalarAsync<long>("SELECT count(*) FROM scheduler.__ef_migrations_history"));
    }

    [Fact]
    public async Task A_slurm_executor_with_an_invalid_setting_exits_with_code_2_naming_the_setting()
    {
        await using var process = new ServiceProcess("Executor", ServiceProcess.FreePort(), Environment(
            ("Orchestrator__Destinations__hpc__Kind", "slurm"),
            ("Orchestrator__Destinations__hpc__Partition", "short; rm -rf /"),
            ("Executor__Destination", "hpc")));

        var exitCode = await process.RunToExitAsync();

        Assert.True(exitCode == 2, $"the executor exited with {exitCode}:{System.Environment.NewLine}{process.Output}");
        Assert.Contains("Orchestrator:Destinations:hpc:Partition", process.Output);
        Assert.Equal(0, await _database.ScalarAsync<long>(
            "SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'executor'"));
    }

    Dictionary<string, string> Environment(params (string Key, string Value)[] overrides)
    {
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Orchestrator"] = _database.ConnectionString,
            ["RabbitMq__VirtualHost"] = _virtualHost.Name,
            ["Orchestrator__Storage__JobsRoot"] = _jobsRoot,
            ["Executor__InstanceId"] = $"test-executor-{Guid.NewGuid():N}",
        };
        foreach (var (key, value) in overrides)
            environment[key] = value;
        return environment;
    }
}
