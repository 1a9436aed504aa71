using Microsoft.EntityFrameworkCore;
using Orchestrator.Executor.Runs;
using Orchestrator.Platform.Messaging;
using Orchestrator.Platform.Persistence;

namespace Orchestrator.Executor.Persistence;

/// <summary>
/// The executor's tables, in schema <c>executor</c>: runs and its outbox. The inbox table of the first schema stays
/// but is no longer written: a <c>RunJob</c> is deduplicated by the runs key, (job, attempt).
/// </summary>
public sealed class ExecutorDbContext(DbContextOptions<ExecutorDbContext> options) : ServiceDbContext(options)
{
    public const string Schema = "executor";

    public DbSet<RunRecord> Runs => Set<RunRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.Entity<RunRecord>(e =>
        {
            e.ToTable("runs");
            e.HasKey(r => new { r.JobId, r.Attempt });
            e.Property(r => r.State).HasMaxLength(32);
            e.Property(r => r.InstanceId).HasMaxLength(256);
            e.HasIndex(r => new { r.InstanceId, r.State });
        });
        modelBuilder.AddOutbox().AddInbox();
    }
}
