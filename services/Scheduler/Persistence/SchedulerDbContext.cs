using Microsoft.EntityFrameworkCore;
using Orchestrator.Platform.Messaging;
using Orchestrator.Platform.Persistence;
using Orchestrator.Scheduler.Dispatching;
using Orchestrator.Scheduler.StateMachines;

namespace Orchestrator.Scheduler.Persistence;

/// <summary>The scheduler's tables, in schema <c>scheduler</c>: job sagas, its outbox and inbox, scheduled messages.</summary>
public sealed class SchedulerDbContext(DbContextOptions<SchedulerDbContext> options) : ServiceDbContext(options)
{
    public const string Schema = "scheduler";

    public DbSet<JobLifecycleSaga> Jobs => Set<JobLifecycleSaga>();

    public DbSet<QueuedJob> QueuedJobs => Set<QueuedJob>();

    public DbSet<ActiveJob> ActiveJobs => Set<ActiveJob>();

    public DbSet<FairShareAccount> FairShareAccounts => Set<FairShareAccount>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.Entity<JobLifecycleSaga>(e =>
        {
            e.ToTable("job_sagas");
            e.HasKey(j => j.CorrelationId);
            e.Property(j => j.CurrentState).HasMaxLength(32);
            e.Property(j => j.Service).HasMaxLength(128);
            e.Property(j => j.Destination).HasMaxLength(128);
            e.HasIndex(j => j.JobNumber).IsUnique();
            e.HasIndex(j => j.CurrentState);
        });
        modelBuilder.Entity<QueuedJob>(e =>
        {
            e.ToTable("queued_jobs");
            e.HasKey(q => q.Sequence);
            e.Property(q => q.Sequence).UseIdentityAlwaysColumn();
            e.HasIndex(q => q.JobId).IsUnique();
            // The dispatcher's only access path: which users wait (a skip scan), and a user's oldest jobs in a service.
            e.HasIndex(q => new { q.Service, q.UserId, q.Sequence });
        });
        modelBuilder.Entity<ActiveJob>(e =>
        {
            e.ToTable("active_jobs");
            e.HasKey(a => a.JobId);
        });
        modelBuilder.Entity<FairShareAccount>(e =>
        {
            e.ToTable("fair_share_accounts");
            e.HasKey(a => new { a.Service, a.UserId });
        });
        modelBuilder.AddOutbox().AddInbox().AddScheduledMessages();
    }
}
