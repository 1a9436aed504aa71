using Npgsql;

namespace Orchestrator.IntegrationTests.Executor;

/// <summary>A row locked (<c>FOR UPDATE</c>) by a transaction of the test's own until <see cref="ReleaseAsync"/>.</summary>
public sealed class HeldRow : IAsyncDisposable
{
    readonly NpgsqlConnection _connection;
    readonly NpgsqlTransaction _transaction;

    HeldRow(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        _connection = connection;
        _transaction = transaction;
    }

    public static async Task<HeldRow> LockAsync(string connectionString, string table, string where)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand($"SELECT 1 FROM {table} WHERE {where} FOR UPDATE", connection, transaction);
        await command.ExecuteScalarAsync();
        return new HeldRow(connection, transaction);
    }

    public Task ReleaseAsync() => _transaction.CommitAsync();

    public async ValueTask DisposeAsync()
    {
        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
