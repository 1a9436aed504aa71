using Npgsql;
using Orchestrator.Platform.Persistence;

namespace Orchestrator.Scheduler.Dispatching;

/// <summary>
/// Listens for the queue's NOTIFY on a connection of its own, so a job enqueued or a slot released by any scheduler
/// instance is dispatched at once rather than at the next poll.
/// </summary>
public sealed class DispatchListener(IConfiguration configuration, DispatchSignal signal, ILogger<DispatchListener> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(PersistenceRegistration.Unpooled(configuration.GetConnectionString("Orchestrator")!));
                await connection.OpenAsync(stoppingToken);
                connection.Notification += (_, _) => signal.Notify();
                await using (var listen = new NpgsqlCommand($"LISTEN {PostgresJobQueue.Channel}", connection))
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                signal.Notify();
                while (!stoppingToken.IsCancellationRequested)
                    await connection.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Polling still dispatches meanwhile; only the wake-ups are late.
                logger.LogWarning("Dispatch notifications interrupted ({Message}); reconnecting", ex.Message);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
