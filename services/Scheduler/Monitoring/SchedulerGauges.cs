using Microsoft.EntityFrameworkCore;
using Orchestrator.Platform.Hosting;
using Orchestrator.Scheduler.Persistence;

namespace Orchestrator.Scheduler.Monitoring;

/// <summary>
/// Reads the job states and the slots in use every few seconds and serves them as gauges: jobs by state, and quota
/// slots in use per service, per user and per destination.
/// </summary>
public sealed class SchedulerGauges : BackgroundService
{
    readonly IServiceScopeFactory _scopeFactory;
    volatile IReadOnlyList<(string State, int Count)> _states = [];
    volatile IReadOnlyList<(string Service, int UserId, string Destination, int Count)> _slots = [];

    public SchedulerGauges(IServiceScopeFactory scopeFactory, OrchestratorMetrics metrics)
    {
        _scopeFactory = scopeFactory;
        metrics.Meter.CreateObservableGauge("orchestrator.jobs.by_state",
            () => _states.Select(s => new System.Diagnostics.Metrics.Measurement<int>(s.Count, new KeyValuePair<string, object?>("state", s.State))),
            "{job}", "Jobs in each state");
        metrics.Meter.CreateObservableGauge("orchestrator.quota.slots_in_use",
            () => _slots.Select(s => new System.Diagnostics.Metrics.Measurement<int>(s.Count,
                new KeyValuePair<string, object?>("service", s.Service),
                new KeyValuePair<string, object?>("user", s.UserId),
                new KeyValuePair<string, object?>("destination", s.Destination))),
            "{slot}", "Quota slots held by dispatched jobs");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = _scopeFactory.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<SchedulerDbContext>();
                var states = await db.Jobs.GroupBy(j => j.CurrentState)
                    .Select(g => new { g.Key, Count = g.Count() }).ToListAsync(stoppingToken);
                _states = states.Select(s => (s.Key, s.Count)).ToList();
                var slots = await db.ActiveJobs.GroupBy(a => new { a.Service, a.UserId, a.Destination })
                    .Select(g => new { g.Key.Service, g.Key.UserId, g.Key.Destination, Count = g.Count() }).ToListAsync(stoppingToken);
                _slots = slots.Select(s => (s.Service, s.UserId, s.Destination, s.Count)).ToList();
            }
            catch (Exception) when (!stoppingToken.IsCancellationRequested)
            {
                // Keep the last reading while the database is away.
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
