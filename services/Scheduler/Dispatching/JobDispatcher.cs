using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace Orchestrator.Scheduler.Dispatching;

/// <summary>
/// Runs dispatch passes whenever the queue or the slots change, and at least every poll interval; passes start at
/// most once per <see cref="DispatchOptions.MinPassInterval"/>, so a burst of wake-ups is served by one pass.
/// </summary>
public sealed class JobDispatcher(
    IServiceScopeFactory scopeFactory,
    DispatchSignal signal,
    IOptions<DispatchOptions> options,
    ILogger<JobDispatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var sinceLastPass = Stopwatch.StartNew();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                int dispatched;
                do
                {
                    sinceLastPass.Restart();
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
                // The wake-ups that arrive meanwhile are folded into the signal already taken: one pass serves them all.
                var wait = options.Value.MinPassInterval - sinceLastPass.Elapsed;
                if (wait > TimeSpan.Zero)
                    await Task.Delay(wait, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
