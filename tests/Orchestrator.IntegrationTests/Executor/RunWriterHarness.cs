using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Orchestrator.Executor;
using Orchestrator.Executor.Persistence;
using Orchestrator.Executor.Runs;
using Orchestrator.IntegrationTests.Infrastructure;
using Orchestrator.Platform.Persistence;

namespace Orchestrator.IntegrationTests.Executor;

/// <summary>
/// The executor's <see cref="RunReporter"/> and <see cref="RunWriter"/> in-process, wired as the service wires them,
/// on a migrated database of their own. No outbox dispatcher runs, so every message a report committed stays in
/// <c>executor.outbox_messages</c> to be counted.
/// </summary>
public sealed class RunWriterHarness : IAsyncDisposable
{
    public const string InstanceId = "writer-test";

    readonly IHost _host;

    RunWriterHarness(TestDatabase database, IHost host, LogCollector logs)
    {
        Database = database;
        _host = host;
        Logs = logs;
    }

    public TestDatabase Database { get; }

    public LogCollector Logs { get; }

    public RunReporter Reporter => _host.Services.GetRequiredService<RunReporter>();

    /// <summary>On the shared server, or on <paramref name="postgres"/>, a server of the test's own it may restart.</summary>
    public static async Task<RunWriterHarness> CreateAsync(PrivatePostgresServer? postgres = null)
    {
        var database = await TestDatabase.CreateAsync(postgres?.ConnectionString());
        try
        {
            var builder = Host.CreateApplicationBuilder();
            builder.Logging.ClearProviders();
            var logs = new LogCollector();
            builder.Logging.AddProvider(logs);
            builder.Services.AddServiceDatabase<ExecutorDbContext>(database.ConnectionString, ExecutorDbContext.Schema);
            builder.Services.AddSingleton(Options.Create(new ExecutorOptions { Destination = "local", InstanceId = InstanceId }));
            builder.Services.AddSingleton<RunWriter>();
            builder.Services.AddSingleton<RunReporter>();
            var host = builder.Build();
            await host.Services.MigrateDatabaseAsync<ExecutorDbContext>();
            return new RunWriterHarness(database, host, logs);
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }

    public static RunRecord NewRun(Guid? jobId = null, int attempt = 1) => new()
    {
        JobId = jobId ?? Guid.NewGuid(),
        Attempt = attempt,
        InstanceId = InstanceId,
        Service = "generic",
        UserId = 7,
        Directory = "/nowhere",
        State = RunStates.Accepted,
        AcceptedAt = DateTimeOffset.UtcNow,
        TimeoutSeconds = 60,
    };

    /// <summary>Accepts fresh runs, one after another, and returns them.</summary>
    public async Task<RunRecord[]> AcceptAsync(int count)
    {
        var runs = new RunRecord[count];
        for (var i = 0; i < count; i++)
        {
            runs[i] = NewRun();
            Assert.True(await Reporter.AcceptedAsync(runs[i]));
        }

        return runs;
    }

    public Task<string?> StateAsync(RunRecord run) =>
        Database.ScalarAsync<string>($"SELECT state FROM executor.runs WHERE job_id = '{run.JobId}' AND attempt = {run.Attempt}");

    /// <summary>Outbox messages of the job of the given type (JobStarted, JobFinished).</summary>
    public Task<long> MessagesAsync(RunRecord run, string type) =>
        Database.ScalarAsync<long>(
            $"SELECT count(*) FROM executor.outbox_messages WHERE correlation_id = '{run.JobId}' AND message_type LIKE 'Orchestrator.Contracts.{type},%'");

    /// <summary>The transaction that last wrote the run's row.</summary>
    public Task<long> RowTransactionAsync(RunRecord run) =>
        Database.ScalarAsync<long>($"SELECT xmin::text::bigint FROM executor.runs WHERE job_id = '{run.JobId}' AND attempt = {run.Attempt}");

    /// <summary>The transactions that wrote the job's outbox messages.</summary>
    public async Task<long[]> MessageTransactionsAsync(RunRecord run)
    {
        await using var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"SELECT xmin::text::bigint FROM executor.outbox_messages WHERE correlation_id = '{run.JobId}' ORDER BY sequence_number", connection);
        var transactions = new List<long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            transactions.Add(reader.GetInt64(0));
        return [.. transactions];
    }

    /// <summary>
    /// Locks the run's row in a transaction of the test's own, so a write to it stays in flight (waiting for the
    /// lock) until the lock is released.
    /// </summary>
    public Task<HeldRow> LockAsync(RunRecord run) =>
        HeldRow.LockAsync(Database.ConnectionString, "executor.runs", $"job_id = '{run.JobId}' AND attempt = {run.Attempt}");

    /// <summary>Whether some session of this database waits for a row lock, i.e. the writer is held by <see cref="LockAsync"/>.</summary>
    public async Task<bool> WriterWaitsForLockAsync() =>
        await Database.ScalarAsync<long>(
            $"SELECT count(*) FROM pg_stat_activity WHERE datname = '{Database.Name}' AND wait_event_type = 'Lock'") > 0;

    public async ValueTask DisposeAsync()
    {
        // Disposes the writer, which closes its connection.
        await ((IAsyncDisposable)_host).DisposeAsync();
        await Database.DisposeAsync();
    }
}
