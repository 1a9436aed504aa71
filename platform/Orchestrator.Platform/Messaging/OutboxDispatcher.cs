using System.Data;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Orchestrator.Platform.Messaging;

/// <summary>
/// Delivers committed outbox rows to RabbitMQ and deletes them. A row is deleted only after the broker confirmed it,
/// so a crash in between resends it with the same MessageId, which the receiver's inbox drops. Several instances
/// share the table through <c>FOR UPDATE SKIP LOCKED</c>.
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
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await DeliverBatchAsync(stoppingToken) == options.Value.BatchSize)
                {
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Outbox delivery failed; retrying after the poll interval");
            }

            try
            {
                await signal.WaitAsync(options.Value.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
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

        // One broker confirm at a time capped delivery at a few hundred messages a second, and the scheduler's outbox
        // fell behind under load. Messages of different jobs now go out side by side; a job's own messages still
        // go one after another, in the order they were written.
        await Task.WhenAll(batch
            .GroupBy(row => row.CorrelationId ?? Guid.Empty)
            .Select(async messages =>
            {
                foreach (var row in messages)
                    await DeliverAsync(row, cancellationToken);
            }));

        var delivered = batch.Select(r => r.SequenceNumber).ToArray();
        var delete = $"DELETE FROM {table} WHERE sequence_number = ANY({{0}})";
        await db.Database.ExecuteSqlRawAsync(delete, [delivered], cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return batch.Count;
    }

    async Task DeliverAsync(OutboxMessage row, CancellationToken cancellationToken)
    {
        using var activity = MessagingTelemetry.StartDelivery("outbox deliver", row.TraceParent);
        var (message, type) = MessageBodySerializer.Deserialize(row.MessageType, row.Body);
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
