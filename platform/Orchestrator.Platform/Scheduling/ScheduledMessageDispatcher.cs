using System.Data;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchestrator.Platform.Messaging;

using ScheduledMessage = Orchestrator.Platform.Scheduling.ScheduledMessage;

namespace Orchestrator.Platform.Scheduling;

/// <summary>
/// Sends scheduled messages when due. The row is deleted in the transaction that sent it; a crash between the
/// broker's confirmation and the commit sends it again with the same MessageId (the token), which inboxes drop.
/// </summary>
public sealed class ScheduledMessageDispatcher<TDbContext>(
    IServiceScopeFactory scopeFactory,
    IBus bus,
    IOptions<SchedulerOptions> options,
    ILogger<ScheduledMessageDispatcher<TDbContext>> logger) : BackgroundService
    where TDbContext : DbContext
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PollInterval);
        do
        {
            try
            {
                while (await DeliverDueAsync(stoppingToken) == options.Value.BatchSize)
                {
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Scheduled message delivery failed; retrying");
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async Task<int> DeliverDueAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        var table = db.TableOf<ScheduledMessage>();
        var select = $"SELECT {db.ColumnsOf<ScheduledMessage>()} FROM {table} WHERE due_at <= now() ORDER BY due_at LIMIT {options.Value.BatchSize} FOR UPDATE SKIP LOCKED";
        var due = await db.Set<ScheduledMessage>()
            .FromSqlRaw(select)
            .AsNoTracking()
            .ToListAsync(cancellationToken);
        if (due.Count == 0)
            return 0;

        foreach (var row in due)
        {
            using var activity = MessagingTelemetry.StartDelivery("scheduled deliver", row.TraceParent);
            var (message, type) = MessageBodySerializer.Deserialize(row.MessageType, row.Body);
            var endpoint = await bus.GetSendEndpoint(new Uri(row.DestinationAddress));
            await endpoint.Send(message, type, Pipe.Execute<SendContext>(context =>
            {
                context.MessageId = row.TokenId;
                context.CorrelationId = row.CorrelationId;
                context.Headers.Set(MessageHeaders.SchedulingTokenId, row.TokenId.ToString("D"));
            }), cancellationToken).WaitAsync(options.Value.SendTimeout, cancellationToken);
        }

        var tokens = due.Select(r => r.TokenId).ToArray();
        var delete = $"DELETE FROM {table} WHERE token_id = ANY({{0}})";
        await db.Database.ExecuteSqlRawAsync(delete, [tokens], cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogDebug("Delivered {Count} scheduled messages", due.Count);
        return due.Count;
    }
}
