using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orchestrator.Platform.Hosting;

namespace Orchestrator.Platform.Messaging;

/// <summary>Counts the outbox every few seconds for the <c>orchestrator.outbox.backlog</c> gauge.</summary>
public sealed class OutboxBacklogMonitor<TDbContext>(IServiceScopeFactory scopeFactory, OrchestratorMetrics metrics)
    : BackgroundService
    where TDbContext : DbContext
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = scopeFactory.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
                metrics.OutboxBacklog = await db.Set<OutboxMessage>().LongCountAsync(stoppingToken);
            }
            catch (Exception) when (!stoppingToken.IsCancellationRequested)
            {
                // A gauge that misses a reading while the database is away is better than a crashed service.
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
