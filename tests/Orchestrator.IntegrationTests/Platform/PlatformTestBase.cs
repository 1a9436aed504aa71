using Orchestrator.IntegrationTests.Platform.Support;

namespace Orchestrator.IntegrationTests.Platform;

/// <summary>Gives each test a fresh <see cref="PlatformEnvironment"/>: its own database and virtual host.</summary>
[Collection(PlatformCollection.Name)]
public abstract class PlatformTestBase : IAsyncLifetime
{
    PlatformEnvironment? _environment;

    protected PlatformEnvironment Env => _environment ?? throw new InvalidOperationException("The environment is not created yet.");

    public async Task InitializeAsync() => _environment = await PlatformEnvironment.CreateAsync();

    public async Task DisposeAsync()
    {
        if (_environment is not null)
            await _environment.DisposeAsync();
    }

    protected Task<long> CountAsync(string table, string? where = null) =>
        Env.Database.ScalarAsync<long>(
            $"SELECT count(*) FROM {PlatformTestDbContext.Schema}.{table}{(where is null ? "" : $" WHERE {where}")}");
}
