using System.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Orchestrator.Platform.Configuration;
using Orchestrator.Scheduler.Dispatching;
using Orchestrator.Scheduler.Persistence;

namespace Orchestrator.Scheduler.Monitoring;

/// <summary>
/// Reads the overview on request, without the dispatch lock: a snapshot that may be a pass behind, never in its way.
/// Unlike a pass it counts each user's queued jobs in full, which costs the length of the queue once per request.
/// </summary>
public sealed class QueueOverviewReader(SchedulerDbContext db, IOptions<OrchestratorOptions> orchestrator, IOptions<DispatchOptions> options)
{
    /// <summary>The dispatches the overview previews: a pass's worth.</summary>
    int Preview => options.Value.BatchSize;

    public async Task<QueueOverview> ReadAsync(CancellationToken cancellationToken)
    {
        var settings = orchestrator.Value;
        var now = DateTimeOffset.UtcNow;
        // One snapshot for the three reads, so the slots, the queue and the accounts agree with each other.
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        var usage = await db.SlotUsageAsync(cancellationToken);
        // Jobs of a service no longer configured are shown too: nothing dispatches them until it is configured again.
        var waiting = await db.WaitingUsersAsync(int.MaxValue, cancellationToken);
        // Users holding slots with nothing queued still have a standing worth showing.
        var queuing = waiting.Select(w => (w.Service, w.UserId)).ToHashSet();
        var holding = settings.Services.Keys
            .SelectMany(service => usage.UsersOf(service).Select(u => new WaitingUser(service, u.UserId, 0)))
            .Where(h => !queuing.Contains((h.Service, h.UserId)));
        var users = waiting.Concat(holding).ToList();

        var accounts = (await db.AccountsOfAsync(users.Select(u => (u.Service, u.UserId)).ToList(), cancellationToken))
            .ToDictionary(a => (a.Service, a.UserId));
        var candidates = users
            .Select(u => DispatchCandidate.For(u, settings.Services.GetValueOrDefault(u.Service) ?? new ServiceOptions(),
                accounts.GetValueOrDefault((u.Service, u.UserId)), now, options.Value.FairShareHalfLife))
            .ToList();
        return QueueOverviewBuilder.Build(candidates, DispatchLimits.From(settings), usage, Preview, now);
    }
}
