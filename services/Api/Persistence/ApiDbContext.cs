using Microsoft.EntityFrameworkCore;
using Orchestrator.Api.Jobs;
using Orchestrator.Platform.Messaging;

namespace Orchestrator.Api.Persistence;

/// <summary>The Api's tables, in schema <c>api</c>: jobs, and the outbox/inbox that keep them in step with the bus.</summary>
public sealed class ApiDbContext(DbContextOptions<ApiDbContext> options) : DbContext(options)
{
    public const string Schema = "api";

    public DbSet<JobRecord> Jobs => Set<JobRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.Entity<JobRecord>(e =>
        {
            e.ToTable("jobs");
            e.HasKey(j => j.Number);
            e.Property(j => j.Number).UseIdentityAlwaysColumn();
            e.HasIndex(j => j.JobId).IsUnique();
            e.HasIndex(j => new { j.UserId, j.Service });
            e.Property(j => j.Service).HasMaxLength(128);
            e.Property(j => j.State).HasMaxLength(32);
        });
        modelBuilder.AddOutbox().AddInbox();
    }
}
