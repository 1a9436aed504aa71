using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Orchestrator.Api.Callbacks;
using Orchestrator.Api.Destinations;
using Orchestrator.Api.Jobs;
using Orchestrator.Api.Security;
using Orchestrator.Contracts;
using Orchestrator.Platform.Messaging;
using Orchestrator.Platform.Persistence;

namespace Orchestrator.Api.Persistence;

/// <summary>The Api's tables, in schema <c>api</c>: jobs, and the outbox/inbox that keep them in step with the bus.</summary>
public sealed class ApiDbContext(DbContextOptions<ApiDbContext> options) : ServiceDbContext(options)
{
    public const string Schema = "api";

    public DbSet<JobRecord> Jobs => Set<JobRecord>();

    public DbSet<JobAttempt> Attempts => Set<JobAttempt>();

    public DbSet<CallbackDelivery> CallbackDeliveries => Set<CallbackDelivery>();

    public DbSet<DestinationStatusRecord> DestinationStatuses => Set<DestinationStatusRecord>();
    public DbSet<ApiKeyRecord> ApiKeys => Set<ApiKeyRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.Entity<JobRecord>(e =>
        {
            e.ToTable("jobs");
            e.HasKey(j => j.Number);
            e.Property(j => j.Number).UseIdentityAlwaysColumn();
            e.HasIndex(j => j.JobId).IsUnique();
            // With the state, counting a user's waiting jobs (MaxQueuedPerUser) reads only those, not the user's whole history.
            e.HasIndex(j => new { j.UserId, j.Service, j.State });
            e.Property(j => j.Service).HasMaxLength(128);
            e.Property(j => j.State).HasMaxLength(32);
            e.Property(j => j.ClientId).HasMaxLength(128);
            e.HasIndex(j => j.ClientId).IsUnique();
            e.Property(j => j.IdempotencyKey).HasMaxLength(255);
            e.HasIndex(j => j.IdempotencyKey).IsUnique();
            e.Property(j => j.RequestHash).HasMaxLength(64);
            e.Property(j => j.Environment).HasColumnType("jsonb").HasConversion(
                v => v == null ? null : JsonSerializer.Serialize(v, (JsonSerializerOptions?)null),
                v => v == null ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(v, (JsonSerializerOptions?)null),
                new ValueComparer<Dictionary<string, string>?>(
                    (a, b) => a == null ? b == null : b != null && a.Count == b.Count && !a.Except(b).Any(),
                    v => v == null ? 0 : v.Count,
                    v => v == null ? null : new Dictionary<string, string>(v)));
            e.Ignore(j => j.PublicId);
            e.HasIndex(j => j.State);
            e.Property(j => j.Owner).HasMaxLength(ApiKeyStore.MaxNameLength);
            e.HasIndex(j => j.Owner);
        });
        modelBuilder.Entity<ApiKeyRecord>(e =>
        {
            e.ToTable("api_keys");
            e.HasKey(k => k.Id);
            e.Property(k => k.Id).UseIdentityAlwaysColumn();
            e.Property(k => k.Prefix).HasMaxLength(16);
            e.HasIndex(k => k.Prefix).IsUnique();
            e.Property(k => k.Hash).HasMaxLength(64);
            e.Property(k => k.Name).HasMaxLength(ApiKeyStore.MaxNameLength);
            e.Property(k => k.Role).HasMaxLength(16);
        });
        modelBuilder.Entity<JobAttempt>(e =>
        {
            e.ToTable("job_attempts");
            e.HasKey(a => new { a.JobNumber, a.Attempt });
            e.HasOne<JobRecord>().WithMany().HasForeignKey(a => a.JobNumber).OnDelete(DeleteBehavior.Cascade);
            e.Property(a => a.State).HasMaxLength(32);
            e.Property(a => a.Outcome).HasMaxLength(32);
        });
        modelBuilder.Entity<CallbackDelivery>(e =>
        {
            e.ToTable("callback_deliveries");
            e.HasKey(d => d.Id);
            e.Property(d => d.Id).UseIdentityAlwaysColumn();
            e.HasIndex(d => new { d.JobNumber, d.Sequence }).IsUnique();
            e.HasIndex(d => new { d.State, d.NextAttemptAt });
            e.Property(d => d.Event).HasMaxLength(32);
            e.Property(d => d.State).HasMaxLength(32);
            e.Property(d => d.Service).HasMaxLength(128);
        });
        modelBuilder.Entity<DestinationStatusRecord>(e =>
        {
            e.ToTable("destination_statuses");
            e.HasKey(d => new { d.Destination, d.Instance });
            e.Property(d => d.Destination).HasMaxLength(128);
            e.Property(d => d.Instance).HasMaxLength(256);
            e.Property(d => d.Kind).HasMaxLength(32);
            e.Property(d => d.Agents).HasColumnType("jsonb").HasConversion(
                v => JsonSerializer.Serialize(v, (JsonSerializerOptions?)null),
                v => JsonSerializer.Deserialize<List<AgentStatusReport>>(v, (JsonSerializerOptions?)null) ?? new List<AgentStatusReport>(),
                new ValueComparer<List<AgentStatusReport>>(
                    (a, b) => a != null && b != null && a.SequenceEqual(b),
                    v => v.Count,
                    v => v.ToList()));
        });
        modelBuilder.AddOutbox().AddInbox();
    }
}
