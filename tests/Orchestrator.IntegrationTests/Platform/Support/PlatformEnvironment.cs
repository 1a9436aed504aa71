using Microsoft.EntityFrameworkCore;
using Npgsql;
using Orchestrator.IntegrationTests.Infrastructure;
using Orchestrator.Platform.Persistence;

namespace Orchestrator.IntegrationTests.Platform.Support;

/// <summary>
/// One test's world: a database with the test schema, a virtual host, and the logs that outlive its hosts. Hosts
/// started through it are stopped before the database and virtual host go.
/// </summary>
public sealed class PlatformEnvironment : IAsyncDisposable
{
    readonly List<PlatformTestHost> _hosts = [];

    PlatformEnvironment(TestDatabase database, TestVirtualHost virtualHost)
    {
        Database = database;
        VirtualHost = virtualHost;
    }

    public TestDatabase Database { get; }

    public TestVirtualHost VirtualHost { get; }

    public MessageLog Log { get; } = new();

    public ConsumeLog Consumed { get; } = new();

    public FaultInjector Faults { get; } = new();

    public static async Task<PlatformEnvironment> CreateAsync()
    {
        var database = await TestDatabase.CreateAsync();
        try
        {
            var virtualHost = await TestVirtualHost.CreateAsync();
            var environment = new PlatformEnvironment(database, virtualHost);
            await using var db = environment.NewDbContext();
            await db.Database.EnsureCreatedAsync();
            return environment;
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }

    /// <summary>A DbContext outside any host, as another process (or a service before its bus is up) would have.</summary>
    public PlatformTestDbContext NewDbContext()
    {
        var options = new DbContextOptionsBuilder<PlatformTestDbContext>();
        options.UseOrchestratorDatabase(Database.ConnectionString, PlatformTestDbContext.Schema);
        return new PlatformTestDbContext(options.Options);
    }

    public async Task<T> QueryAsync<T>(Func<PlatformTestDbContext, Task<T>> query)
    {
        await using var db = NewDbContext();
        return await query(db);
    }

    public async Task<PlatformTestHost> StartHostAsync(Action<PlatformHostOptions> configure)
    {
        var options = new PlatformHostOptions();
        configure(options);
        var host = await PlatformTestHost.StartAsync(this, options);
        _hosts.Add(host);
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            foreach (var host in _hosts)
                await host.DisposeAsync();
        }
        finally
        {
            await VirtualHost.DisposeAsync();
            await Database.DisposeAsync();
        }
    }
}
