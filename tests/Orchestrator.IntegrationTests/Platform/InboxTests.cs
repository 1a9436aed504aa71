using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orchestrator.IntegrationTests.Platform.Support;
using Orchestrator.IntegrationTests.Platform.Support.Messages;
using Orchestrator.Platform.Messaging;

namespace Orchestrator.IntegrationTests.Platform;

/// <summary>The inbox of <see cref="TransactionalConsumer{TDbContext,TMessage}"/>: one effect per MessageId.</summary>
public sealed class InboxTests : PlatformTestBase
{
    [Fact]
    public async Task The_same_message_id_delivered_twice_is_applied_once()
    {
        var host = await StartStoreRecordHostAsync(concurrency: 1);
        var messageId = NewId.NextGuid();

        await host.Bus.Publish(new StoreRecord("twice", "v"), ctx => ctx.MessageId = messageId);
        await host.Bus.Publish(new StoreRecord("twice", "v"), ctx => ctx.MessageId = messageId);

        await Env.Consumed.WaitForAsync<StoreRecord>(TestQueues.StoreRecord, c => c.MessageId == messageId && !c.Faulted, 2,
            "both deliveries to be handled");
        Assert.Equal(1, await CountAsync("records", "key = 'twice'"));
        Assert.Equal(1, await CountAsync("inbox_messages", $"message_id = '{messageId}' AND consumer = '{nameof(StoreRecordConsumer)}'"));

        // One message at a time, in order: a second RecordStored would reach the recorder before the marker's.
        await host.Bus.Publish(new StoreRecord("marker", "v"));
        await Env.Log.WaitForAsync<RecordStored>(m => m.Key == "marker", "the marker's RecordStored");
        Assert.Equal([new RecordStored("twice"), new RecordStored("marker")], Env.Log.Messages<RecordStored>());
    }

    [Fact]
    public async Task Duplicates_handled_concurrently_are_applied_once_and_distinct_messages_all_apply()
    {
        var host = await StartStoreRecordHostAsync(concurrency: 8);
        var messageId = NewId.NextGuid();

        // The copies race: each waits on the first one's inbox row and, once it commits, finds it taken.
        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.WhenAll(
            host.Bus.Publish(new StoreRecord("duplicate", "v"), ctx => ctx.MessageId = messageId),
            host.Bus.Publish(new StoreRecord($"distinct-{i}", "v")))));

        await Env.Consumed.WaitForAsync<StoreRecord>(TestQueues.StoreRecord, c => !c.Faulted, 16, "all sixteen deliveries to be handled");
        Assert.Equal(1, await CountAsync("records", "key = 'duplicate'"));
        Assert.Equal(8, await CountAsync("records", "key LIKE 'distinct-%'"));
        Assert.Equal(9, await CountAsync("inbox_messages"));
    }

    [Fact]
    public async Task A_failed_attempt_leaves_no_inbox_entry_so_the_retry_applies_the_message()
    {
        var host = await StartStoreRecordHostAsync(concurrency: 1);
        Env.Faults.FailTimes("flaky", 2);

        await host.Bus.Publish(new StoreRecord("flaky", "v"));

        await Env.Consumed.WaitForAsync<StoreRecord>(TestQueues.StoreRecord, c => !c.Faulted, 1, "the retried message to be handled");
        Assert.Equal(1, await CountAsync("records", "key = 'flaky'"));
        Assert.Equal(1, await CountAsync("inbox_messages"));
        await Env.Log.WaitForAsync<RecordStored>(m => m.Key == "flaky", "RecordStored from the successful attempt");
    }

    [Fact]
    public async Task Pruning_forgets_only_the_entries_older_than_the_cutoff_and_the_kept_ones_still_deduplicate()
    {
        var host = await StartStoreRecordHostAsync(concurrency: 1);
        var recent = NewId.NextGuid();
        await host.Bus.Publish(new StoreRecord("recent", "v"), ctx => ctx.MessageId = recent);
        await Env.Consumed.WaitForAsync<StoreRecord>(TestQueues.StoreRecord, c => c.MessageId == recent && !c.Faulted, 1, "the recent message");
        var inbox = $"{PlatformTestDbContext.Schema}.inbox_messages";
        await Env.Database.ExecuteAsync($"""
            INSERT INTO {inbox} (message_id, consumer, processed_at)
            SELECT gen_random_uuid(), 'old', now() - interval '8 days' FROM generate_series(1, 7);
            INSERT INTO {inbox} (message_id, consumer, processed_at)
            SELECT gen_random_uuid(), 'within', now() - interval '6 days' FROM generate_series(1, 2);
            """);

        // A batch smaller than the backlog: the pass goes on until a batch comes back short.
        var pruner = ActivatorUtilities.CreateInstance<InboxPruner<PlatformTestDbContext>>(host.Services,
            Options.Create(new InboxOptions { PruneBatchSize = 3 }));
        Assert.Equal(7, await pruner.PruneAsync(DateTimeOffset.UtcNow - TimeSpan.FromDays(7), CancellationToken.None));

        Assert.Equal(0, await CountAsync("inbox_messages", "consumer = 'old'"));
        Assert.Equal(2, await CountAsync("inbox_messages", "consumer = 'within'"));
        Assert.Equal(0, await pruner.PruneAsync(DateTimeOffset.UtcNow - TimeSpan.FromDays(7), CancellationToken.None));

        await host.Bus.Publish(new StoreRecord("recent", "v"), ctx => ctx.MessageId = recent);
        await Env.Consumed.WaitForAsync<StoreRecord>(TestQueues.StoreRecord, c => c.MessageId == recent && !c.Faulted, 2, "the copy");
        Assert.Equal(1, await CountAsync("records", "key = 'recent'"));
    }

    Task<PlatformTestHost> StartStoreRecordHostAsync(int concurrency) =>
        Env.StartHostAsync(o => o.Bus = bus =>
        {
            bus.AddConsumer<StoreRecordConsumer>().Endpoint(e =>
            {
                e.Name = TestQueues.StoreRecord;
                e.ConcurrentMessageLimit = concurrency;
            });
            bus.AddConsumer<RecordingConsumer<RecordStored>>().Endpoint(e =>
            {
                e.Name = TestQueues.RecordStored;
                e.ConcurrentMessageLimit = 1;
            });
        });
}
