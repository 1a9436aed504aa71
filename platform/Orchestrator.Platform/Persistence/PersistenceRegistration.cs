using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

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
        builder.Services.AddDbContextPool<TDbContext>(options => options.UseOrchestratorDatabase(connectionString, schema));
        return builder;
    }

    public static DbContextOptionsBuilder UseOrchestratorDatabase(
        this DbContextOptionsBuilder options, string connectionString, string schema) =>
        options
            .UseNpgsql(connectionString, npgsql => npgsql
                .MigrationsHistoryTable("__ef_migrations_history", schema)
                .EnableRetryOnFailure(0))
            .UseSnakeCaseNamingConvention();
}
