using Microsoft.EntityFrameworkCore;
using Orchestrator.Platform.Messaging;
using Orchestrator.Scheduler.StateMachines;

namespace Orchestrator.Scheduler.Persistence;

/// <summary>The scheduler's tables, in schema <c>scheduler</c>: job sagas, its outbox and inbox, scheduled messages.</summary>
public sealed class SchedulerDbContext(DbContextOptions<SchedulerDbContext> options) : DbContext(options)
{
    public const string Schema = "scheduler";

    public DbSet<JobLifecycleSaga> Jobs => Set<JobLifecycleSaga>();

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
        modelBuilder.AddOutbox().AddInbox().AddScheduledMessages();
    }
}
