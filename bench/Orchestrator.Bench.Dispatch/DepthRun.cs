using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using Orchestrator.Bench;
using Orchestrator.Platform.Configuration;
using Orchestrator.Platform.Persistence;
using Orchestrator.Scheduler.Dispatching;
using Orchestrator.Scheduler.Persistence;

namespace Orchestrator.Bench.Dispatch;

/// <summary>
/// One queue depth: a throw-away database with the scheduler's schema, <c>depth</c> queued jobs spread over the users,
/// then the scheduler's own <see cref="DispatchPass"/> run again and again. Each pass fills every free slot; between
/// passes (and outside the timing) the slots are freed and the outbox emptied, as finished jobs and the outbox
/// dispatcher would, and as many jobs are queued as were taken, so every pass sees the same depth. What is timed is the dispatch decision and its transaction, with nothing else on the machine.
/// </summary>
public sealed class DepthRun(DispatchBenchOptions options, int depth)
{
    const string Service = "generic";

    long _queued;

    public async Task<DepthResult> RunAsync(CancellationToken cancellationToken)
    {
        var database = $"bench_dispatch_{Environment.ProcessId}_{depth}";
        var admin = new NpgsqlConnectionStringBuilder(options.Pg);
        await ExecuteAsync(admin.ConnectionString, $"CREATE DATABASE {database}", cancellationToken);
        try
        {
            var connectionString = new NpgsqlConnectionStringBuilder(options.Pg) { Database = database }.ConnectionString;
            var builder = new DbContextOptionsBuilder<SchedulerDbContext>();
            builder.UseOrchestratorDatabase(connectionString, SchedulerDbContext.Schema);
            var dbOptions = builder.Options;
            await using (var db = new SchedulerDbContext(dbOptions))
                await db.Database.MigrateAsync(cancellationToken);
            await QueueAsync(connectionString, depth, cancellationToken);
            await ExecuteAsync(connectionString, $"""
                INSERT INTO scheduler.fair_share_accounts (service, user_id, usage, updated_at, last_dispatched_at)
                SELECT '{Service}', {options.Users} + n, 1, now() - interval '1 day', now() - interval '1 day'
                FROM generate_series(1, {options.PastUsers}) AS n;
                ANALYZE scheduler.fair_share_accounts;
                """, cancellationToken);

            var settings = Options.Create(new OrchestratorOptions
            {
                Services = { [Service] = new ServiceOptions { Destination = "local", MaxRuns = options.Slots, RunsPerUser = options.RunsPerUser ?? options.Slots } },
                Destinations = { ["local"] = new DestinationOptions { Kind = "local", Capacity = options.Slots } },
            });
            var dispatch = Options.Create(new DispatchOptions { BatchSize = options.Slots });

            var passes = new List<TimeSpan>();
            var dispatched = 0;
            for (var pass = 0; pass < options.Passes + options.WarmupPasses; pass++)
            {
                await using var db = new SchedulerDbContext(dbOptions);
                var started = Stopwatch.GetTimestamp();
                var count = await new DispatchPass(db, settings, dispatch).RunAsync(cancellationToken);
                var elapsed = Stopwatch.GetElapsedTime(started);
                if (pass >= options.WarmupPasses)
                {
                    passes.Add(elapsed);
                    dispatched += count;
                }

                await ExecuteAsync(connectionString, "DELETE FROM scheduler.active_jobs; DELETE FROM scheduler.outbox_messages", cancellationToken);
                await QueueAsync(connectionString, count, cancellationToken);
            }

            var left = await ScalarAsync(connectionString, "SELECT count(*) FROM scheduler.queued_jobs", cancellationToken);
            return new DepthResult(depth, passes, dispatched, left);
        }
        finally
        {
            await ExecuteAsync(admin.ConnectionString, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)", CancellationToken.None);
        }
    }

    /// <summary>Queues <paramref name="count"/> more jobs round-robin over the users, in one statement.</summary>
    async Task QueueAsync(string connectionString, int count, CancellationToken cancellationToken)
    {
        if (count == 0)
            return;
        await ExecuteAsync(connectionString, $"""
            INSERT INTO scheduler.queued_jobs (job_id, job_number, service, user_id, destination, directory, attempt, enqueued_at)
            SELECT gen_random_uuid(), _queued + n, '{Service}', 1 + (_queued + n) % {options.Users}, 'local', '/tmp/bench-job-' || (_queued + n), 1, now()
            FROM generate_series(1, {count}) AS n;
            ANALYZE scheduler.queued_jobs;
            """.Replace("_queued", _queued.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal), cancellationToken);
        _queued += count;
    }

    static async Task ExecuteAsync(string connectionString, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    static async Task<long> ScalarAsync(string connectionString, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken));
    }
}
