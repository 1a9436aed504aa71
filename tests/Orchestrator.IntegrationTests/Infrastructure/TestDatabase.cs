using Npgsql;

namespace Orchestrator.IntegrationTests.Infrastructure;

/// <summary>A throw-away PostgreSQL database on the local server, dropped on dispose.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string ServerConnectionString =
        "Host=127.0.0.1;Port=5432;Username=orchestrator;Password=orchestrator;Database=orchestrator";

    readonly string _server;

    TestDatabase(string name, string server)
    {
        Name = name;
        _server = server;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = name, Pooling = true }.ConnectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    /// <summary>Makes the database on the shared server, or on the server <paramref name="server"/> connects to.</summary>
    public static async Task<TestDatabase> CreateAsync(string? server = null)
    {
        server ??= ServerConnectionString;
        var name = $"orch_test_{Guid.NewGuid():N}";
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return new TestDatabase(name, server);
    }

    public async Task<T?> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T));
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// An autovacuum worker visiting the fresh database runs as the superuser, which DROP DATABASE … WITH (FORCE)
    /// may not terminate; it finishes within moments, so the drop is tried again until it goes.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await Eventually.UntilAsync(async () =>
        {
            try
            {
                await using var connection = new NpgsqlConnection(_server);
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection);
                await command.ExecuteNonQueryAsync();
                return true;
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
            {
                return false;
            }
        }, $"database {Name} to be dropped", TimeSpan.FromSeconds(30));
    }
}
