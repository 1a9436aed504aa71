using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.IntegrationTests.Infrastructure;
using Orchestrator.IntegrationTests.Platform.Support;
using Orchestrator.IntegrationTests.Platform.Support.Messages;
using Orchestrator.Platform.Messaging;

namespace Orchestrator.IntegrationTests.Platform;

/// <summary>The transactional outbox: written with the state change, delivered after the commit, at least once.</summary>
public sealed class OutboxTests : PlatformTestBase
{
    [Fact]
    public async Task A_message_is_published_only_if_its_transaction_commits()
    {
        var host = await StartPingHostAsync(outboxDelivery: true);

        await using (var db = Env.NewDbContext())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.Records.Add(new TestRecord { Id = NewId.NextGuid(), Key = "rolled-back" });
            db.AddOutboxPublish(new Ping("rolled-back"));
            await db.SaveChangesAsync();
            Assert.Equal(1, await db.Set<OutboxMessage>().CountAsync());
            await transaction.RollbackAsync();
        }

        // SaveChanges's own transaction: the record's duplicate key fails it, and the message with it.
        var existing = NewId.NextGuid();
        await using (var db = Env.NewDbContext())
        {
            db.Records.Add(new TestRecord { Id = existing, Key = "existing" });
            await db.SaveChangesAsync();
        }

        await using (var db = Env.NewDbContext())
        {
            db.Records.Add(new TestRecord { Id = existing, Key = "duplicate" });
            db.AddOutboxPublish(new Ping("failed-save"));
            await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
        }

        // The recorder takes one message at a time in queue order, so the committed marker arriving means anything
        // published before it has arrived too.
        await using (var db = Env.NewDbContext())
        {
            db.Records.Add(new TestRecord { Id = NewId.NextGuid(), Key = "committed" });
            db.AddOutboxPublish(new Ping("marker"));
            await db.SaveChangesAsync();
        }

        host.Signal.NotifyTableChanged();
        await Env.Log.WaitForAsync<Ping>(p => p.Label == "marker", "the committed marker");
        Assert.Equal([new Ping("marker")], Env.Log.Messages<Ping>());
        var keys = await Env.QueryAsync(db => db.Records.Select(r => r.Key).OrderBy(k => k).ToListAsync());
        Assert.Equal(["committed", "existing"], keys);
        await Eventually.UntilAsync(async () => await CountAsync("outbox_messages") == 0, "the outbox to be emptied");
    }

    [Fact]
    public async Task Messages_committed_before_a_crash_are_delivered_in_order_when_the_service_restarts()
    {
        var crashed = await StartPingHostAsync(outboxDelivery: false);
        var committed = new List<OutboxMessage>();
        await using (var scope = crashed.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PlatformTestDbContext>();
            foreach (var label in new[] { "one", "two", "three" })
            {
                db.Records.Add(new TestRecord { Id = NewId.NextGuid(), Key = label });
                committed.Add(db.AddOutboxPublish(new Ping(label)));
                await db.SaveChangesAsync();
            }
        }

        await crashed.StopAsync();
        Assert.Equal(3, await CountAsync("outbox_messages"));
        Assert.Empty(Env.Log.Deliveries<Ping>());

        await StartPingHostAsync(outboxDelivery: true);

        await Eventually.UntilAsync(() => Env.Log.Deliveries<Ping>().Count >= 3, "the three messages after the restart");
        var deliveries = Env.Log.Deliveries<Ping>();
        Assert.Equal(["one", "two", "three"], deliveries.Select(d => ((Ping)d.Message).Label));
        Assert.Equal(committed.Select(m => (Guid?)m.MessageId), deliveries.Select(d => d.MessageId));
        await Eventually.UntilAsync(async () => await CountAsync("outbox_messages") == 0, "the outbox to be emptied");
    }

    [Fact]
    public async Task A_dispatcher_crash_after_publishing_redelivers_the_message_and_the_inbox_drops_the_copy()
    {
        // The first DELETE of delivered rows fails, as if the process died after the broker confirmed the publish:
        // the row stays and is published again. A sequence, unlike a table, keeps counting through the rollback.
        await Env.Database.ExecuteAsync("""
            CREATE SEQUENCE test.outbox_delete_attempts;
            CREATE FUNCTION test.fail_first_outbox_delete() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF nextval('test.outbox_delete_attempts') = 1 THEN
                    RAISE EXCEPTION 'simulated crash between publish and delete';
                END IF;
                RETURN NULL;
            END $$;
            CREATE TRIGGER fail_first_outbox_delete BEFORE DELETE ON test.outbox_messages
                FOR EACH STATEMENT EXECUTE FUNCTION test.fail_first_outbox_delete();
            """);
        var host = await StartStoreRecordHostAsync();

        OutboxMessage row;
        await using (var db = Env.NewDbContext())
        {
            row = db.AddOutboxPublish(new StoreRecord("crash", "once"));
            await db.SaveChangesAsync();
        }

        host.Signal.NotifyTableChanged();
        await Env.Consumed.WaitForAsync<StoreRecord>(TestQueues.StoreRecord, c => c.MessageId == row.MessageId && !c.Faulted, 2,
            "the message and its redelivery to be handled");

        // The redelivered copy can be handled before the dispatcher gets to its second DELETE, right after the publish.
        await Eventually.UntilAsync(() => Env.Database.ScalarAsync<long>("SELECT last_value FROM test.outbox_delete_attempts"),
            attempts => attempts >= 2, "the dispatcher to delete the row again after the redelivery");
        Assert.Equal(1, await CountAsync("records", "key = 'crash'"));
        Assert.Equal(1, await CountAsync("inbox_messages", $"message_id = '{row.MessageId}'"));

        // Both deliveries committed before the marker was even written, so a second RecordStored would precede it.
        await using (var db = Env.NewDbContext())
        {
            db.AddOutboxPublish(new StoreRecord("marker", "after"));
            await db.SaveChangesAsync();
        }

        host.Signal.NotifyTableChanged();
        await Env.Log.WaitForAsync<RecordStored>(m => m.Key == "marker", "the marker's RecordStored");
        Assert.Equal([new RecordStored("crash"), new RecordStored("marker")], Env.Log.Messages<RecordStored>());
        await Eventually.UntilAsync(async () => await CountAsync("outbox_messages") == 0, "the outbox to be emptied");
    }

    [Fact]
    public async Task Rows_committed_in_this_process_are_handed_to_the_dispatcher_without_reading_the_table()
    {
        // The table is read at start and then only once an hour: anything delivered after start came from the commit.
        var host = await StartPingHostAsync(outboxDelivery: true, pollInterval: TimeSpan.FromHours(1));
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PlatformTestDbContext>();

            // Once a first message went out, the read of the table at start is over.
            db.AddOutboxPublish(new Ping("zero"));
            await db.SaveChangesAsync();
            await Env.Log.WaitForAsync<Ping>(p => p.Label == "zero", "the first message");

            await using (var rolledBack = await db.Database.BeginTransactionAsync())
            {
                db.AddOutboxPublish(new Ping("rolled-back"));
                await db.SaveChangesAsync();
                await rolledBack.RollbackAsync();
            }

            db.ChangeTracker.Clear();
            await using (var transaction = await db.Database.BeginTransactionAsync())
            {
                db.AddOutboxPublish(new Ping("first"));
                await db.SaveChangesAsync();
                db.AddOutboxPublish(new Ping("second"));
                await db.SaveChangesAsync();
                await transaction.CommitAsync();
            }

            // A save outside any transaction commits on its own.
            db.AddOutboxPublish(new Ping("third"));
            await db.SaveChangesAsync();
        }

        await Env.Log.WaitForAsync<Ping>(p => p.Label == "third", "the message of the last commit");
        Assert.Equal([new Ping("zero"), new Ping("first"), new Ping("second"), new Ping("third")], Env.Log.Messages<Ping>());
        await Eventually.UntilAsync(async () => await CountAsync("outbox_messages") == 0, "the outbox to be emptied");
    }

    [Fact]
    public async Task A_failed_delivery_of_handed_over_rows_falls_back_to_the_table_in_order()
    {
        var host = await StartPingHostAsync(outboxDelivery: true, pollInterval: TimeSpan.FromHours(1));
        var job = NewId.NextGuid();
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformTestDbContext>();

        // Once a first message went out, the dispatcher's read of the table at start is over: from here on only the
        // hand-over delivers, and it deletes before it publishes.
        db.AddOutboxPublish(new Ping("zero"), job);
        await db.SaveChangesAsync();
        await Env.Log.WaitForAsync<Ping>(p => p.Label == "zero", "the first message");
        await Eventually.UntilAsync(async () => await CountAsync("outbox_messages") == 0, "the outbox to be emptied");

        // The next DELETE fails, as a lost connection would: the row stays, and a later message of the same job must
        // not overtake it.
        await Env.Database.ExecuteAsync("""
            CREATE SEQUENCE test.outbox_delete_attempts;
            CREATE FUNCTION test.fail_first_outbox_delete() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF nextval('test.outbox_delete_attempts') = 1 THEN
                    RAISE EXCEPTION 'simulated failure of the first delete';
                END IF;
                RETURN NULL;
            END $$;
            CREATE TRIGGER fail_first_outbox_delete BEFORE DELETE ON test.outbox_messages
                FOR EACH STATEMENT EXECUTE FUNCTION test.fail_first_outbox_delete();
            """);
        db.AddOutboxPublish(new Ping("one"), job);
        await db.SaveChangesAsync();
        await Eventually.UntilAsync(() => Env.Database.ScalarAsync<bool>("SELECT is_called FROM test.outbox_delete_attempts"),
            called => called, "the delivery of the second message to fail");

        db.AddOutboxPublish(new Ping("two"), job);
        await db.SaveChangesAsync();

        await Env.Log.WaitForAsync<Ping>(p => p.Label == "two", "the third message");
        Assert.Equal([new Ping("zero"), new Ping("one"), new Ping("two")], Env.Log.Messages<Ping>());
        await Eventually.UntilAsync(async () => await CountAsync("outbox_messages") == 0, "the outbox to be emptied");
    }

    Task<PlatformTestHost> StartPingHostAsync(bool outboxDelivery, TimeSpan? pollInterval = null) =>
        Env.StartHostAsync(o =>
        {
            o.OutboxDelivery = outboxDelivery;
            o.OutboxPollInterval = pollInterval ?? o.OutboxPollInterval;
            o.Bus = bus => bus.AddConsumer<RecordingConsumer<Ping>>()
                .Endpoint(e =>
                {
                    e.Name = TestQueues.Ping;
                    e.ConcurrentMessageLimit = 1;
                });
        });

    Task<PlatformTestHost> StartStoreRecordHostAsync() =>
        Env.StartHostAsync(o => o.Bus = bus =>
        {
            bus.AddConsumer<StoreRecordConsumer>().Endpoint(e =>
            {
                e.Name = TestQueues.StoreRecord;
                e.ConcurrentMessageLimit = 1;
            });
            bus.AddConsumer<RecordingConsumer<RecordStored>>().Endpoint(e =>
            {
                e.Name = TestQueues.RecordStored;
                e.ConcurrentMessageLimit = 1;
            });
        });
}
