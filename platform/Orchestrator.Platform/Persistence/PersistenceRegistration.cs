using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orchestrator.Platform.Messaging;
using Npgsql;

namespace Orchestrator.Platform.Persistence;

public static class PersistenceRegistration
{
    /// <summary>
    /// Registers a service's DbContext on the shared <c>Orchestrator</c> connection string. Each service keeps its
    /// tables and its migration history in a schema of its own, so services migrate independently.
    /// </summary>
    public static WebApplicationBuilder AddServiceDatabase<TDbContext>(this WebApplicationBuilder builder, string schema)
        where TDbContext : DbContext
    {
        var connectionString = builder.Configuration.GetConnectionString("Orchestrator")
            ?? throw new InvalidOperationException("ConnectionStrings:Orchestrator is not configured.");
        builder.Services.TryAddSingleton<OutboxSignal>();
        builder.Services.TryAddSingleton<OutboxCommitInterceptor>();
        builder.Services.AddDbContextPool<TDbContext>((services, options) => options
            .UseOrchestratorDatabase(connectionString, schema)
            .AddInterceptors(services.GetRequiredService<OutboxCommitInterceptor>()));
        return builder;
    }

    public static DbContextOptionsBuilder UseOrchestratorDatabase(
        this DbContextOptionsBuilder options, string connectionString, string schema) =>
        options
            .UseNpgsql(WithStatementPreparation(connectionString), npgsql => npgsql
                .MigrationsHistoryTable("__ef_migrations_history", schema)
                .EnableRetryOnFailure(0))
            .UseSnakeCaseNamingConvention();

    /// <summary>Statements kept prepared per connection unless the connection string says otherwise.</summary>
    public const int DefaultMaxAutoPrepare = 50;

    /// <summary>
    /// Every message a service handles runs the same few dozen statements. Parsing and planning them afresh each time
    /// was a quarter of PostgreSQL's work per job, so they are prepared once per connection (Npgsql's automatic
    /// preparation). An explicit <c>Max Auto Prepare</c> in the connection string wins, <c>0</c> turns it off.
    /// </summary>
    public static string WithStatementPreparation(string connectionString)
    {
        // Npgsql's own builder reports every keyword it knows as present; the plain one holds only what was written.
        var written = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        if (written.Keys.Cast<string>().Any(k => k.Replace(" ", "").Equals("MaxAutoPrepare", StringComparison.OrdinalIgnoreCase)))
            return connectionString;
        return new NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = DefaultMaxAutoPrepare }.ConnectionString;
    }
}
