using System.Data;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchestrator.Platform.Persistence;

namespace Orchestrator.Platform.Messaging;

/// <summary>
/// Delivers committed outbox rows to RabbitMQ and deletes them. A row is deleted only after the broker confirmed it,
/// so a crash in between resends it with the same MessageId, which the receiver's inbox drops. Rows this process
/// commits are handed over in memory (<see cref="OutboxSignal"/>); the table is read at start, after a failure and at
/// every poll interval. Several instances share the table through <c>FOR UPDATE SKIP LOCKED</c>.
/// </summary>
public sealed class OutboxDispatcher<TDbContext>(
    IServiceScopeFactory scopeFactory,
    IBus bus,
    OutboxSignal signal,
    IOptions<OutboxOptions> options,
    ILogger<OutboxDispatcher<TDbContext>> logger) : BackgroundService
    where TDbContext : DbContext
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Rows left by an earlier run of the service, or by a crash, are only in the table.
        var readTable = true;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (signal.TakeTableChanged() || readTable)
                {
                    // What was handed over so far is committed, so this read finds it too, in order with the rest.
                    signal.ForgetCommitted();
                    while (await DeliverBatchAsync(stoppingToken) == options.Value.BatchSize)
                    {
                    }

                    readTable = false;
                }

                for (var rows = signal.TakeCommitted(options.Value.BatchSize); rows.Count > 0; rows = signal.TakeCommitted(options.Value.BatchSize))
                    await DeliverCommittedAsync(rows, stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // Rows that failed stay in the table, possibly ahead of later messages of the same job: only a read of
                // the table, in order, may deliver anything now.
                logger.LogWarning(ex, "Outbox delivery failed; retrying after the poll interval");
                readTable = true;
            }

            try
            {
                if (!await signal.WaitAsync(options.Value.PollInterval, stoppingToken))
                    readTable = true;
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Delivers rows this process has just committed, as handed over by <see cref="OutboxCommitInterceptor"/>: they are
    /// taken by deleting them, which also waits for (and then skips) any a read of the table is delivering at the
    /// moment; the delete commits only once the broker confirmed every message, so a crash in between leaves them in
    /// the table. Returns how many were delivered.
    /// </summary>
    public async Task<int> DeliverCommittedAsync(IReadOnlyList<OutboxMessage> rows, CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        var taken = new HashSet<long>();
        await using (var command = db.CreateCommand($"DELETE FROM {db.TableOf<OutboxMessage>()} WHERE sequence_number = ANY(@numbers) RETURNING sequence_number"))
        {
            command.Parameters.AddWithValue("numbers", rows.Select(r => r.SequenceNumber).ToArray());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                taken.Add(reader.GetInt64(0));
        }

        var batch = rows.Where(r => taken.Contains(r.SequenceNumber)).ToList();
        await DeliverInOrderAsync(batch, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return batch.Count;
    }

    /// <summary>Delivers one batch; returns how many messages it delivered.</summary>
    public async Task<int> DeliverBatchAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        var table = db.TableOf<OutboxMessage>();
        var select = $"SELECT {db.ColumnsOf<OutboxMessage>()} FROM {table} ORDER BY sequence_number LIMIT {options.Value.BatchSize} FOR UPDATE SKIP LOCKED";
        var batch = await db.Set<OutboxMessage>()
            .FromSqlRaw(select)
            .AsNoTracking()
            .ToListAsync(cancellationToken);
        if (batch.Count == 0)
            return 0;

        await DeliverInOrderAsync(batch, cancellationToken);

        var delivered = batch.Select(r => r.SequenceNumber).ToArray();
        var delete = $"DELETE FROM {table} WHERE sequence_number = ANY({{0}})";
        await db.Database.ExecuteSqlRawAsync(delete, [delivered], cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return batch.Count;
    }

    /// <summary>
    /// One broker confirm at a time capped delivery at a few hundred messages a second, and the scheduler's outbox fell
    /// behind under load. Messages of different jobs go out side by side; a job's own messages still go one after
    /// another, in the order they were written.
    /// </summary>
    Task DeliverInOrderAsync(IReadOnlyList<OutboxMessage> batch, CancellationToken cancellationToken) =>
        Task.WhenAll(batch
            .GroupBy(row => row.CorrelationId ?? Guid.Empty)
            .Select(async messages =>
            {
                foreach (var row in messages)
                    await DeliverAsync(row, cancellationToken);
            }));

    async Task DeliverAsync(OutboxMessage row, CancellationToken cancellationToken)
    {
        using var activity = MessagingTelemetry.StartDelivery("outbox deliver", row.TraceParent);
        var (message, type) = row is { Message: { } inMemory, MessageClrType: { } clrType }
            ? (inMemory, clrType)
            : MessageBodySerializer.Deserialize(row.MessageType, row.Body);
        var headers = MessageBodySerializer.DeserializeHeaders(row.Headers);

        void Apply(SendContext context)
        {
            context.MessageId = row.MessageId;
            context.CorrelationId = row.CorrelationId;
            context.ConversationId = row.ConversationId;
            context.InitiatorId = row.InitiatorId;
            foreach (var (key, value) in headers)
                context.Headers.Set(key, value);
        }

        if (row.DestinationAddress is null)
        {
            await bus.Publish(message, type, Pipe.Execute<PublishContext>(Apply), cancellationToken)
                .WaitAsync(options.Value.SendTimeout, cancellationToken);
        }
        else
        {
            var endpoint = await bus.GetSendEndpoint(new Uri(row.DestinationAddress));
            await endpoint.Send(message, type, Pipe.Execute<SendContext>(Apply), cancellationToken)
                .WaitAsync(options.Value.SendTimeout, cancellationToken);
        }
    }
}
