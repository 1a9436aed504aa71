using Microsoft.EntityFrameworkCore;
using Npgsql;
using Orchestrator.Executor.Persistence;
using Orchestrator.Platform.Messaging;
using Orchestrator.Platform.Persistence;

namespace Orchestrator.Executor.Runs;

/// <summary>
/// Writes runs' rows by group commit: writes queued while a transaction is in flight are written together in the
/// next one, a set-based statement per kind of write, all sent in one round trip and committed together. Each caller
/// is answered when the transaction holding its write committed, so a report acknowledged is a report stored, with
/// its outbox message. The writer keeps one connection of its own, so a batch costs no pool checkout.
/// </summary>
public sealed class RunWriter : IAsyncDisposable
{
    /// <summary>Bounds the arrays of one statement; a longer queue is written in several transactions in a row.</summary>
    const int MaxBatch = 500;

    static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(200);
    static readonly TimeSpan LongestRetryDelay = TimeSpan.FromSeconds(10);

    readonly IServiceScopeFactory _scopeFactory;
    readonly OutboxSignal _signal;
    readonly IHostApplicationLifetime _lifetime;
    readonly ILogger<RunWriter> _logger;
    readonly GroupCommitQueue<RunWrite, Guid> _queue;
    volatile bool _disposed;

    // Touched only by the one write loop running at a time (and by DisposeAsync when none runs).
    NpgsqlConnection? _connection;
    string? _connectionString;
    RunStatements? _statements;

    public RunWriter(IServiceScopeFactory scopeFactory, OutboxSignal signal, IHostApplicationLifetime lifetime, ILogger<RunWriter> logger)
    {
        _scopeFactory = scopeFactory;
        _signal = signal;
        _lifetime = lifetime;
        _logger = logger;
        // One writer, and at most one write per job a batch: a job's second write waits for the next transaction, so
        // a job's changes, and its messages' order in the outbox, follow the order they were made in.
        _queue = new(w => w.Run.JobId, MaxBatch, writers: 1, CommitAsync, (w, ex) => w.Fail(ex), () =>
        {
            if (_disposed)
                CloseConnection();
        });
    }

    /// <summary>Queues a write; the task ends when it committed (true when it changed the row) or failed for good.</summary>
    public Task<bool> WriteAsync(RunWrite write)
    {
        _queue.Enqueue(write);
        return write.Committed;
    }

    /// <summary>
    /// A write must not be dropped because PostgreSQL is restarting: the run is over (or started) whether or not it
    /// is written down, so the batch is tried again until the database is back. Every write is idempotent (its
    /// statement checks the row's state), so a batch that did commit before its connection broke changes nothing
    /// the second time. At shutdown it gives up; the next start of this instance recovers the runs from their rows.
    /// Any other failure is not the database being away: the batch is then written one write at a time, so a write
    /// the database refuses fails alone.
    /// </summary>
    async Task CommitAsync(List<RunWrite> batch)
    {
        var delay = FirstRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var applied = await TryWriteAsync(batch);
                // The reports' outbox rows are written in SQL, past the change tracker that hands rows over.
                if (batch.Any(w => w.MessageBody is not null && applied.Contains(w)))
                    _signal.NotifyTableChanged();
                foreach (var write in batch)
                    write.Complete(applied.Contains(write));
                return;
            }
            catch (Exception ex) when (DatabaseFailures.IsUnavailable(ex) && !_lifetime.ApplicationStopping.IsCancellationRequested)
            {
                _logger.LogWarning("{Count} run writes not committed (database unavailable, try {Try}: {Reason}); trying again in {Delay}",
                    batch.Count, attempt, ex.GetBaseException().Message, delay);
                await Task.Delay(delay, _lifetime.ApplicationStopping).ContinueWith(_ => { }, TaskScheduler.Default);
                delay = delay * 2 < LongestRetryDelay ? delay * 2 : LongestRetryDelay;
            }
            catch (Exception ex) when (batch.Count > 1 && !DatabaseFailures.IsUnavailable(ex))
            {
                _logger.LogError(ex, "A batch of {Count} run writes failed; writing them one at a time", batch.Count);
                foreach (var write in batch)
                    await CommitAsync([write]);
                return;
            }
            catch (Exception ex)
            {
                foreach (var write in batch)
                    write.Fail(ex);
                return;
            }
        }
    }

    /// <summary>
    /// One round trip: the batch's statements go with a single Sync, so PostgreSQL runs them in one implicit
    /// transaction. Reading past the last result reads the ReadyForQuery that follows the commit, so when this
    /// returns the writes are committed.
    /// </summary>
    async Task<HashSet<RunWrite>> TryWriteAsync(List<RunWrite> batch)
    {
        var connection = await ConnectAsync();
        try
        {
            var groups = batch.GroupBy(w => w.Kind).ToList();
            await using var command = new NpgsqlBatch(connection);
            foreach (var group in groups)
                command.BatchCommands.Add(Statement(group.Key, group.ToList()));

            var applied = new HashSet<RunWrite>();
            await using (var reader = await command.ExecuteReaderAsync())
            {
                foreach (var group in groups)
                {
                    var changed = new HashSet<(Guid, int)>();
                    while (await reader.ReadAsync())
                        changed.Add((reader.GetGuid(0), reader.GetInt32(1)));
                    applied.UnionWith(group.Where(w => changed.Contains((w.Run.JobId, w.Run.Attempt))));
                    await reader.NextResultAsync();
                }
            }

            return applied;
        }
        catch
        {
            // A connection that failed once may be broken in ways that only show later: the next try starts afresh.
            CloseConnection();
            throw;
        }
    }

    NpgsqlBatchCommand Statement(RunWriteKind kind, List<RunWrite> writes)
    {
        var command = new NpgsqlBatchCommand(_statements![kind]);
        var p = command.Parameters;
        p.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. writes.Select(w => w.Run.JobId)] });
        p.Add(new NpgsqlParameter<int[]> { TypedValue = [.. writes.Select(w => w.Run.Attempt)] });
        switch (kind)
        {
            case RunWriteKind.Accept:
                p.Add(new NpgsqlParameter<string[]> { TypedValue = [.. writes.Select(w => w.Run.InstanceId)] });
                p.Add(new NpgsqlParameter<string[]> { TypedValue = [.. writes.Select(w => w.Run.Service)] });
                p.Add(new NpgsqlParameter<int[]> { TypedValue = [.. writes.Select(w => w.Run.UserId)] });
                p.Add(new NpgsqlParameter<string[]> { TypedValue = [.. writes.Select(w => w.Run.Directory)] });
                p.Add(new NpgsqlParameter<int?[]> { TypedValue = [.. writes.Select(w => w.Run.TimeoutSeconds)] });
                p.Add(new NpgsqlParameter<string?[]> { TypedValue = [.. writes.Select(w => w.Run.Environment)] });
                p.Add(new NpgsqlParameter<DateTimeOffset[]> { TypedValue = [.. writes.Select(w => w.At)] });
                break;
            case RunWriteKind.Start:
                p.Add(new NpgsqlParameter<int?[]> { TypedValue = [.. writes.Select(w => w.ProcessId)] });
                p.Add(new NpgsqlParameter<long?[]> { TypedValue = [.. writes.Select(w => w.ProcessStartTicks)] });
                AddMessages(p, writes);
                break;
            case RunWriteKind.End:
                p.Add(new NpgsqlParameter<string?[]> { TypedValue = [.. writes.Select(w => w.State)] });
                p.Add(new NpgsqlParameter<int?[]> { TypedValue = [.. writes.Select(w => w.ExitCode)] });
                AddMessages(p, writes);
                break;
            case RunWriteKind.ExternalId:
                p.Add(new NpgsqlParameter<string?[]> { TypedValue = [.. writes.Select(w => w.ExternalId)] });
                break;
        }

        return command;
    }

    static void AddMessages(NpgsqlParameterCollection p, List<RunWrite> writes)
    {
        p.Add(new NpgsqlParameter<DateTimeOffset[]> { TypedValue = [.. writes.Select(w => w.At)] });
        p.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. writes.Select(w => w.MessageId)] });
        p.Add(new NpgsqlParameter<string?[]> { TypedValue = [.. writes.Select(w => w.MessageBody)] });
        p.Add(new NpgsqlParameter<string?[]> { TypedValue = [.. writes.Select(w => w.TraceParent)] });
    }

    async Task<NpgsqlConnection> ConnectAsync()
    {
        if (_connection is { State: System.Data.ConnectionState.Open })
            return _connection;
        CloseConnection();

        if (_connectionString is null || _statements is null)
        {
            // The service's own connection string (statement preparation included) and table names, read once.
            await using var scope = _scopeFactory.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ExecutorDbContext>();
            _connectionString = db.Database.GetConnectionString()
                ?? throw new InvalidOperationException("The executor's DbContext has no connection string.");
            _statements = RunStatements.For(db);
        }

        var connection = new NpgsqlConnection(_connectionString);
        try
        {
            await connection.OpenAsync();
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        _connection = connection;
        return connection;
    }

    void CloseConnection() => Interlocked.Exchange(ref _connection, null)?.Dispose();

    public ValueTask DisposeAsync()
    {
        _disposed = true;
        // A write loop in progress closes the connection when it runs out of work.
        if (!_queue.IsWriting)
            CloseConnection();
        return ValueTask.CompletedTask;
    }
}
