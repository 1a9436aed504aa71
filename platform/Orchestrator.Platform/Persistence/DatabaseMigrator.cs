using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Orchestrator.Platform.Persistence;

/// <summary>
/// Applies a service's EF Core migrations at start-up. Instances starting together serialise on a PostgreSQL
/// advisory lock, so exactly one applies each migration and the others find it applied.
/// </summary>
public static class DatabaseMigrator
{
    public static async Task MigrateDatabaseAsync<TDbContext>(this IServiceProvider services, CancellationToken cancellationToken = default)
        where TDbContext : DbContext
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var logger = scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseMigrator));
        var connectionString = PersistenceRegistration.Unpooled(db.Database.GetConnectionString()!);

        // PostgreSQL may still be starting next to us: wait for it rather than failing the service.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(cancellationToken);
                await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_lock(7262001)", connection))
                    await lockCommand.ExecuteNonQueryAsync(cancellationToken);
                try
                {
                    await db.Database.MigrateAsync(cancellationToken);
                    logger.LogInformation("Database schema of {Context} is up to date", typeof(TDbContext).Name);
                }
                finally
                {
                    await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(7262001)", connection);
                    await unlock.ExecuteNonQueryAsync(CancellationToken.None);
                }

                return;
            }
            catch (Exception ex) when (DateTime.UtcNow < deadline && DatabaseFailures.IsUnavailable(ex))
            {
                logger.LogWarning("PostgreSQL is not reachable yet ({Message}); retrying", ex.GetBaseException().Message);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
    }
}
