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
        builder.Services.AddServiceDatabase<TDbContext>(connectionString, schema);
        return builder;
    }

    /// <summary>
    /// Registers a pooled <typeparamref name="TDbContext"/> on <paramref name="connectionString"/>, its commits handing
    /// their outbox rows to the dispatcher (<see cref="OutboxCommitInterceptor"/>).
    /// </summary>
    public static IServiceCollection AddServiceDatabase<TDbContext>(this IServiceCollection services, string connectionString, string schema)
        where TDbContext : DbContext
    {
        services.TryAddSingleton<OutboxSignal>();
        services.TryAddSingleton<OutboxCommitInterceptor>();
        services.AddDbContextPool<TDbContext>((provider, options) => options
            .UseOrchestratorDatabase(connectionString, schema)
            .AddInterceptors(provider.GetRequiredService<OutboxCommitInterceptor>()));
        return services;
    }

    public static DbContextOptionsBuilder UseOrchestratorDatabase(
        this DbContextOptionsBuilder options, string connectionString, string schema) =>
        options
            .UseNpgsql(WithConnectionDefaults(connectionString), npgsql => npgsql
                .MigrationsHistoryTable("__ef_migrations_history", schema)
                .EnableRetryOnFailure(0))
            .UseSnakeCaseNamingConvention();

    /// <summary>Statements kept prepared per connection unless the connection string says otherwise.</summary>
    public const int DefaultMaxAutoPrepare = 50;

    /// <summary>
    /// The pool settings every service uses unless its connection string says otherwise (an explicit keyword wins).
    /// <list type="bullet">
    /// <item>Every message a service handles runs the same few dozen statements. Parsing and planning them afresh each
    /// time was a quarter of PostgreSQL's work per job, so they are prepared once per connection (<c>Max Auto
    /// Prepare</c>; <c>0</c> turns it off).</item>
    /// <item>A pooled connection handed out again is not reset (<c>No Reset On Close</c>): the reset is seven
    /// statements (UNLISTEN, unlocking session locks, RESET ALL…) sent ahead of the next command, and under load they
    /// were half of all statements PostgreSQL ran. Nothing of ours leaves session state on a pooled connection: the
    /// connections that LISTEN or take a session lock are opened outside the pool (<see cref="Unpooled"/>), and
    /// transactions are rolled back on return all the same.</item>
    /// </list>
    /// </summary>
    public static string WithConnectionDefaults(string connectionString)
    {
        // Npgsql's own builder reports every keyword it knows as present; the plain one holds only what was written.
        var written = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }.Keys
            .Cast<string>()
            .Select(k => k.Replace(" ", ""))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!written.Contains("MaxAutoPrepare"))
            builder.MaxAutoPrepare = DefaultMaxAutoPrepare;
        if (!written.Contains("NoResetOnClose"))
            builder.NoResetOnClose = true;
        return builder.ConnectionString;
    }

    /// <summary>
    /// A connection string for a connection that holds session state (a LISTEN, a session advisory lock): it must not
    /// go back to the pool, where the next user would inherit that state unreset.
    /// </summary>
    public static string Unpooled(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;
}
