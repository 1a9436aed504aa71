using System.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Orchestrator.Contracts;
using Orchestrator.Platform.Configuration;
using Orchestrator.Platform.Messaging;
using Orchestrator.Platform.Persistence;
using Orchestrator.Scheduler.Persistence;

namespace Orchestrator.Scheduler.Dispatching;

/// <summary>
/// One dispatch decision over the whole system, in one transaction under a global advisory lock (so scheduler
/// instances never dispatch the same slot twice): read the slots in use and the users with queued work, plan, then
/// move each chosen job from the queue to the active set, charge its user, and send its <see cref="RunJob"/> and
/// <see cref="JobDispatched"/> through the outbox.
/// </summary>
public sealed class DispatchPass(
    SchedulerDbContext db,
    IOptions<OrchestratorOptions> orchestrator,
    IOptions<DispatchOptions> options)
{
    const long DispatchLock = 7262002;

    /// <summary>Dispatches what the quotas allow, up to a batch; returns how many jobs were dispatched.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var settings = orchestrator.Value;
        var now = DateTimeOffset.UtcNow;
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({DispatchLock})", cancellationToken);

        var usage = await db.SlotUsageAsync(cancellationToken);
        // A pass gives no user more than its service's RunsPerUser, so counting a user's queue further is wasted.
        var countUpTo = Math.Min(options.Value.BatchSize, settings.Services.Values.Select(s => s.RunsPerUser).DefaultIfEmpty(0).Max());
        var waiting = await db.WaitingUsersAsync(Math.Max(countUpTo, 1), cancellationToken);
        if (waiting.Count == 0)
            return 0;
        var accounts = (await db.AccountsOfAsync(waiting.Select(w => (w.Service, w.UserId)).ToList(), cancellationToken))
            .ToDictionary(a => (a.Service, a.UserId));
        var halfLife = options.Value.FairShareHalfLife;

        var candidates = waiting
            .Where(w => settings.Services.ContainsKey(w.Service))
            .Select(w => DispatchCandidate.For(w, settings.Services[w.Service], accounts.GetValueOrDefault((w.Service, w.UserId)), now, halfLife))
            .ToList();
        var limits = DispatchLimits.From(settings);
        var quotas = limits.Quotas;

        var picks = DispatchPlanner.Plan(candidates, quotas, limits.Capacity, usage, options.Value.BatchSize, now);
        if (picks.Count == 0)
            return 0;

        var groups = picks.GroupBy(p => (p.Service, p.UserId)).ToList();
        var jobs = await db.OldestJobsOfAsync(groups.Select(g => (g.Key.Service, g.Key.UserId, g.Count())).ToList(), cancellationToken);
        foreach (var job in jobs)
            Dispatch(job, quotas[job.Service].Destination, now);
        foreach (var group in groups)
            Charge(accounts, group.Last(), now);

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return jobs.Count;
    }

    void Dispatch(QueuedJob job, string destination, DateTimeOffset now)
    {
        using var activity = MessagingTelemetry.StartDelivery("dispatch job", job.TraceParent);
        activity?.SetTag("orchestrator.job_id", job.JobId.ToString());
        db.QueuedJobs.Remove(job);
        db.ActiveJobs.Add(new ActiveJob
        {
            JobId = job.JobId,
            Service = job.Service,
            UserId = job.UserId,
            Destination = destination,
            Attempt = job.Attempt,
            DispatchedAt = now,
        });
        // The saga hears of the dispatch before the executor can report a start.
        db.AddOutboxPublish(new JobDispatched(job.JobId, job.Attempt, destination, now), job.JobId);
        db.AddOutboxSend(QueueNames.Address(QueueNames.Executor(destination)),
            new RunJob(job.JobId, job.JobNumber, job.UserId, job.Service, destination, job.Directory, job.Attempt,
                job.TimeoutSeconds, Variables(job)), job.JobId);
    }

    static Dictionary<string, string>? Variables(QueuedJob job) =>
        job.Environment is null ? null : System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(job.Environment);

    void Charge(Dictionary<(string, int), FairShareAccount> accounts, DispatchCandidate charged, DateTimeOffset now)
    {
        if (accounts.TryGetValue((charged.Service, charged.UserId), out var account))
        {
            db.FairShareAccounts.Attach(account);
        }
        else
        {
            account = new FairShareAccount { Service = charged.Service, UserId = charged.UserId };
            db.FairShareAccounts.Add(account);
        }

        account.Usage = charged.Usage;
        account.UpdatedAt = now;
        account.LastDispatchedAt = charged.LastDispatchedAt;
    }
}
