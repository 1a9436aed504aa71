using Microsoft.Extensions.Options;

namespace Orchestrator.Scheduler.Dispatching;

/// <summary>Runs dispatch passes whenever the queue or the slots change, and at least every poll interval.</summary>
public sealed class JobDispatcher(
    IServiceScopeFactory scopeFactory,
    DispatchSignal signal,
    IOptions<DispatchOptions> options,
    ILogger<JobDispatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                int dispatched;
                do
                {
                    await using var scope = scopeFactory.CreateAsyncScope();
                    dispatched = await scope.ServiceProvider.GetRequiredService<DispatchPass>().RunAsync(stoppingToken);
                    if (dispatched > 0)
                        logger.LogDebug("Dispatched {Count} jobs", dispatched);
                }
                while (dispatched == options.Value.BatchSize);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Dispatch pass failed; retrying");
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
}
