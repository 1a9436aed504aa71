using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Orchestrator.Platform.Scheduling;

namespace Orchestrator.Platform.Messaging;

/// <summary>Maps the outbox, inbox and scheduler tables into a service's own schema.</summary>
public static class MessagingModel
{
    public static ModelBuilder AddOutbox(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<OutboxMessage>(e =>
        {
            e.ToTable("outbox_messages");
            e.HasKey(m => m.SequenceNumber);
            e.Property(m => m.SequenceNumber).HasColumnName("sequence_number").UseIdentityAlwaysColumn();
            e.Property(m => m.MessageId).HasColumnName("message_id");
            e.Property(m => m.DestinationAddress).HasColumnName("destination_address");
            e.Property(m => m.MessageType).HasColumnName("message_type");
            e.Property(m => m.Body).HasColumnName("body").HasColumnType("jsonb");
            e.Property(m => m.CorrelationId).HasColumnName("correlation_id");
            e.Property(m => m.ConversationId).HasColumnName("conversation_id");
            e.Property(m => m.InitiatorId).HasColumnName("initiator_id");
            e.Property(m => m.TraceParent).HasColumnName("trace_parent");
            e.Property(m => m.Headers).HasColumnName("headers").HasColumnType("jsonb");
            e.Property(m => m.CreatedAt).HasColumnName("created_at");
            e.Ignore(m => m.Message);
            e.Ignore(m => m.MessageClrType);
        });
        return modelBuilder;
    }

    public static ModelBuilder AddInbox(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<InboxMessage>(e =>
        {
            e.ToTable("inbox_messages");
            e.HasKey(m => new { m.MessageId, m.Consumer });
            e.Property(m => m.MessageId).HasColumnName("message_id");
            e.Property(m => m.Consumer).HasColumnName("consumer");
            e.Property(m => m.ProcessedAt).HasColumnName("processed_at");
            e.HasIndex(m => m.ProcessedAt);
        });
        return modelBuilder;
    }

    public static ModelBuilder AddScheduledMessages(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<ScheduledMessage>(e =>
        {
            e.ToTable("scheduled_messages");
            e.HasKey(m => m.TokenId);
            e.Property(m => m.TokenId).HasColumnName("token_id");
            e.Property(m => m.DueAt).HasColumnName("due_at");
            e.Property(m => m.DestinationAddress).HasColumnName("destination_address");
            e.Property(m => m.MessageType).HasColumnName("message_type");
            e.Property(m => m.Body).HasColumnName("body").HasColumnType("jsonb");
            e.Property(m => m.CorrelationId).HasColumnName("correlation_id");
            e.Property(m => m.TraceParent).HasColumnName("trace_parent");
            e.Property(m => m.CreatedAt).HasColumnName("created_at");
            e.HasIndex(m => m.DueAt);
        });
        return modelBuilder;
    }

    /// <summary>Schema-qualified, quoted table name of an entity, for the few statements written in SQL.</summary>
    public static string TableOf<TEntity>(this DbContext db)
    {
        var entity = db.Model.FindEntityType(typeof(TEntity))
            ?? throw new InvalidOperationException($"{typeof(TEntity).Name} is not part of {db.GetType().Name}'s model.");
        var schema = entity.GetSchema();
        var table = entity.GetTableName();
        return schema is null ? $"\"{table}\"" : $"\"{schema}\".\"{table}\"";
    }

    /// <summary>
    /// The entity's columns, listed by name, for the statements written in SQL. Statements are prepared on the server
    /// and kept; a <c>SELECT *</c> kept that way breaks once a migration adds a column under a running service.
    /// </summary>
    public static string ColumnsOf<TEntity>(this DbContext db, string? alias = null)
    {
        var entity = db.Model.FindEntityType(typeof(TEntity))
            ?? throw new InvalidOperationException($"{typeof(TEntity).Name} is not part of {db.GetType().Name}'s model.");
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var prefix = alias is null ? "" : $"{alias}.";
        return string.Join(", ", entity.GetProperties().Select(p => $"{prefix}\"{p.GetColumnName(table)}\""));
    }
}
