using MassTransit;
using Microsoft.Extensions.Options;
using Orchestrator.Contracts;
using Orchestrator.Executor.Destinations.Jobd;
using Orchestrator.Platform.Configuration;

namespace Orchestrator.Executor.Runs;

/// <summary>Publishes <see cref="DestinationStatusReported"/> every <see cref="ExecutorOptions.StatusInterval"/>, for <c>GET /destinations</c>.</summary>
public sealed class DestinationStatusPublisher(
    IBus bus,
    RunSlots slots,
    IServiceProvider services,
    IOptions<ExecutorOptions> options,
    IOptions<OrchestratorOptions> orchestrator,
    ILogger<DestinationStatusPublisher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var destination = options.Value.Destination;
        var kind = orchestrator.Value.Destinations.TryGetValue(destination, out var d) ? d.Kind : "local";
        var pool = services.GetService<JobdAgentPool>();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var agents = pool?.Snapshot()
                    .Select(a => new AgentStatusReport(a.BaseAddress.AbsoluteUri, a.Healthy, a.Load, a.InFlight, a.LastError))
                    .ToList() ?? [];
                var healthy = pool is null || agents.Any(a => a.Healthy == true);
                await bus.Publish(new DestinationStatusReported(destination, kind, options.Value.ResolvedInstanceId,
                    slots.Capacity, slots.InUse, healthy, agents, DateTimeOffset.UtcNow), stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning("Destination status could not be published: {Reason}", ex.Message);
            }

            await Task.Delay(options.Value.StatusInterval, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }
}
