using Microsoft.EntityFrameworkCore;
using Orchestrator.Platform.Messaging;

namespace Orchestrator.IntegrationTests.Platform.Support;

/// <summary>A service-like DbContext for the platform tests: a saga, a record table, and the messaging tables.</summary>
public sealed class PlatformTestDbContext(DbContextOptions<PlatformTestDbContext> options) : DbContext(options)
{
    public const string Schema = "test";

    public DbSet<CounterSaga> Counters => Set<CounterSaga>();

    public DbSet<TestRecord> Records => Set<TestRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.Entity<CounterSaga>(e =>
        {
            e.ToTable("counter_sagas");
            e.HasKey(c => c.CorrelationId);
            e.Property(c => c.CurrentState).HasMaxLength(32);
        });
        modelBuilder.Entity<TestRecord>(e =>
        {
            e.ToTable("records");
            e.HasKey(r => r.Id);
            e.HasIndex(r => r.Key);
        });
        modelBuilder.AddOutbox().AddInbox().AddScheduledMessages();
    }
}
