using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Orchestrator.Contracts;
using Orchestrator.Platform.Configuration;
using Orchestrator.Platform.Hosting;
using Orchestrator.Scheduler.Dispatching;
using Orchestrator.Scheduler.Persistence;

namespace Orchestrator.Scheduler.Monitoring;

/// <summary>
/// Reads the job states and the slots in use every few seconds and serves them as gauges: jobs by state, and quota
/// slots in use per service, per user and per destination, and the age of each service's oldest queued job. Saga rows stay after their job ends, so counting the final
/// states reads the whole history: they are counted once a minute, while the states of jobs still in progress, found
/// through the state index in time that follows their number only, are counted at every reading.
/// </summary>
public sealed class SchedulerGauges : BackgroundService
{
    static readonly string[] InProgress =
        [JobStates.Submitted, JobStates.Queued, JobStates.Dispatched, JobStates.Running, JobStates.Cancelling, JobStates.RetryPending];

    static readonly string[] Ended = [JobStates.Completed, JobStates.Failed, JobStates.Cancelled, JobStates.TimedOut, JobStates.Cleaned];

    static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    static readonly TimeSpan EndedInterval = TimeSpan.FromMinutes(1);

    readonly IServiceScopeFactory _scopeFactory;

    /// <summary>The configured services, each given a reading (0 with nothing queued) so a dashboard shows no gaps.</summary>
    readonly string[] _services;
    volatile IReadOnlyList<(string State, int Count)> _inProgress = [];
    volatile IReadOnlyList<(string State, int Count)> _ended = [];
    volatile IReadOnlyList<(string Service, int UserId, string Destination, int Count)> _slots = [];
    volatile IReadOnlyDictionary<string, DateTimeOffset?> _oldestQueued = new Dictionary<string, DateTimeOffset?>();

    public SchedulerGauges(IServiceScopeFactory scopeFactory, OrchestratorMetrics metrics, IOptions<OrchestratorOptions> options)
    {
        _scopeFactory = scopeFactory;
        _services = [.. options.Value.Services.Keys];
        // The age is taken when the gauge is read, so it grows between two readings of the queue as the wait does.
        metrics.Meter.CreateObservableGauge("orchestrator.queue.oldest_age",
            () => _oldestQueued.Select(q => new System.Diagnostics.Metrics.Measurement<double>(
                q.Value is { } queuedAt ? Math.Max(0, (DateTimeOffset.UtcNow - queuedAt).TotalSeconds) : 0,
                new KeyValuePair<string, object?>("service", q.Key))),
            "s", "How long the oldest job queued in each service has waited (0 with none queued)");
        metrics.Meter.CreateObservableGauge("orchestrator.jobs.by_state",
            () => _inProgress.Concat(_ended).Select(s => new System.Diagnostics.Metrics.Measurement<int>(s.Count, new KeyValuePair<string, object?>("state", s.State))),
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
        var endedDue = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = _scopeFactory.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<SchedulerDbContext>();
                _inProgress = await CountAsync(db, InProgress, stoppingToken);
                if (DateTimeOffset.UtcNow >= endedDue)
                {
                    _ended = await CountAsync(db, Ended, stoppingToken);
                    endedDue = DateTimeOffset.UtcNow + EndedInterval;
                }
                var slots = await db.ActiveJobs.GroupBy(a => new { a.Service, a.UserId, a.Destination })
                    .Select(g => new { g.Key.Service, g.Key.UserId, g.Key.Destination, Count = g.Count() }).ToListAsync(stoppingToken);
                _slots = slots.Select(s => (s.Service, s.UserId, s.Destination, s.Count)).ToList();
                var oldest = await db.OldestQueuedAsync(stoppingToken);
                _oldestQueued = _services.Union(oldest.Keys)
                    .ToDictionary(service => service, service => oldest.TryGetValue(service, out var at) ? at : (DateTimeOffset?)null);
            }
            catch (Exception) when (!stoppingToken.IsCancellationRequested)
            {
                // Keep the last reading while the database is away.
            }

            try
            {
                await Task.Delay(Interval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Every state asked for has a count, zero included, so a dashboard shows 0 rather than no data.</summary>
    static async Task<IReadOnlyList<(string State, int Count)>> CountAsync(SchedulerDbContext db, string[] states, CancellationToken cancellationToken)
    {
        var counts = await db.Jobs.Where(j => states.Contains(j.CurrentState)).GroupBy(j => j.CurrentState)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
        return states.Select(state => (state, counts.GetValueOrDefault(state))).ToList();
    }
}
