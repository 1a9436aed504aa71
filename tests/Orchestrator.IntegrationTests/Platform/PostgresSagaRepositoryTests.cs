using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.IntegrationTests.Infrastructure;
using Orchestrator.IntegrationTests.Platform.Support;
using Orchestrator.IntegrationTests.Platform.Support.Messages;
using Orchestrator.Platform.Hosting;
using Orchestrator.Platform.Messaging;
using Orchestrator.Platform.Sagas;

namespace Orchestrator.IntegrationTests.Platform;

/// <summary><see cref="PostgresSagaRepository{TSaga,TDbContext}"/> under a real state machine, broker and database.</summary>
public sealed class PostgresSagaRepositoryTests : PlatformTestBase
{
    const string SagaInbox = "consumer = 'saga:CounterSaga'";

    [Fact]
    public async Task Events_create_load_and_update_the_saga_row_and_finalizing_deletes_it()
    {
        var host = await StartSagaHostAsync(outboxDelivery: true);
        var id = NewId.NextGuid();

        await host.Bus.Publish(new OpenCounter(id, "first"));
        var created = await WaitForCounterAsync(id, c => c is not null, "the saga row to be created");
        Assert.Equal("Counting", created!.CurrentState);
        Assert.Equal("first", created.Label);
        Assert.Equal(0, created.Count);

        await host.Bus.Publish(new IncrementCounter(id));
        await WaitForCounterAsync(id, c => c?.Count == 1, "the first increment");
        await host.Bus.Publish(new IncrementCounter(id));
        await host.Bus.Publish(new IncrementCounter(id));
        var updated = await WaitForCounterAsync(id, c => c?.Count == 3, "the saga row to be updated to 3");
        Assert.Equal("Counting", updated!.CurrentState);
        Assert.Equal("first", updated.Label);
        Assert.Equal(1, await Env.QueryAsync(db => db.Counters.CountAsync()));

        await host.Bus.Publish(new CloseCounter(id));
        await WaitForCounterAsync(id, c => c is null, "the finalized saga row to be deleted");
        var closed = await Env.Log.WaitForAsync<CounterClosed>(m => m.CounterId == id, "CounterClosed from the saga");
        Assert.Equal(new CounterClosed(id, "first", 3), closed.Message);
        Assert.Equal(5, await CountAsync("inbox_messages", SagaInbox));
        await Eventually.UntilAsync(async () => await CountAsync("outbox_messages") == 0, "the outbox to be emptied");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Fifty_concurrent_events_on_one_saga_lose_no_update(bool openFirst)
    {
        var host = await StartSagaHostAsync(outboxDelivery: true);
        var id = NewId.NextGuid();
        if (openFirst)
        {
            await host.Bus.Publish(new OpenCounter(id, "concurrent"));
            await WaitForCounterAsync(id, c => c is not null, "the saga row to be created");
        }

        // Without openFirst the increments also race to create the instance: the losers hit the primary key and retry.
        await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => host.Bus.Publish(new IncrementCounter(id))));

        var expectedInbox = openFirst ? 51 : 50;
        await Eventually.UntilAsync(async () => await CountAsync("inbox_messages", SagaInbox), n => n >= expectedInbox,
            "every increment to be committed");
        var counter = await Env.QueryAsync(db => db.Counters.AsNoTracking().SingleAsync(c => c.CorrelationId == id));
        Assert.Equal(50, counter.Count);
        Assert.Equal(expectedInbox, await CountAsync("inbox_messages", SagaInbox));
        Assert.Empty(Env.Consumed.On<IncrementCounter>(TestQueues.CounterSaga, c => c.Faulted));
    }

    [Fact]
    public async Task A_redelivered_event_is_applied_to_the_saga_once()
    {
        var host = await StartSagaHostAsync(outboxDelivery: true);
        var id = NewId.NextGuid();
        await host.Bus.Publish(new OpenCounter(id, "redelivered"));
        await WaitForCounterAsync(id, c => c is not null, "the saga row to be created");

        var messageId = NewId.NextGuid();
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ =>
            host.Bus.Publish(new IncrementCounter(id), ctx => ctx.MessageId = messageId)));

        await Env.Consumed.WaitForAsync<IncrementCounter>(TestQueues.CounterSaga, c => c.MessageId == messageId && !c.Faulted, 3,
            "all three deliveries of the same message to be handled");
        var counter = await Env.QueryAsync(db => db.Counters.AsNoTracking().SingleAsync(c => c.CorrelationId == id));
        Assert.Equal(1, counter.Count);
        Assert.Equal(1, await CountAsync("inbox_messages", $"message_id = '{messageId}'"));
    }

    [Fact]
    public async Task A_publish_from_the_saga_is_an_outbox_row_until_the_dispatcher_delivers_it()
    {
        var host = await StartSagaHostAsync(outboxDelivery: false);
        var id = NewId.NextGuid();
        await host.Bus.Publish(new OpenCounter(id, "outboxed"));
        await WaitForCounterAsync(id, c => c is not null, "the saga row to be created");
        await host.Bus.Publish(new CloseCounter(id));
        await WaitForCounterAsync(id, c => c is null, "the finalized saga row to be deleted");

        // The saga's deletion and its message committed together: the row is there, nothing reached the broker.
        var rows = await Env.QueryAsync(db => db.Set<OutboxMessage>().AsNoTracking().ToListAsync());
        var row = Assert.Single(rows);
        Assert.Null(row.DestinationAddress);
        Assert.StartsWith(typeof(CounterClosed).FullName + ",", row.MessageType);
        Assert.Contains(id.ToString(), row.Body);
        Assert.Empty(Env.Log.Deliveries<CounterClosed>());

        var delivered = await host.CreateOutboxDispatcher().DeliverBatchAsync(CancellationToken.None);

        Assert.Equal(1, delivered);
        Assert.Equal(0, await CountAsync("outbox_messages"));
        var received = await Env.Log.WaitForAsync<CounterClosed>(m => m.CounterId == id, "the dispatched CounterClosed");
        Assert.Equal(new CounterClosed(id, "outboxed", 0), received.Message);
        Assert.Equal(row.MessageId, received.MessageId);
    }

    [Fact]
    public async Task A_failing_event_rolls_back_both_the_saga_change_and_its_publish()
    {
        var host = await StartSagaHostAsync(outboxDelivery: true, retryLimit: 1);
        var id = NewId.NextGuid();
        await host.Bus.Publish(new OpenCounter(id, "fragile"));
        await WaitForCounterAsync(id, c => c is not null, "the saga row to be created");

        await host.Bus.Publish(new BreakCounter(id));
        await Env.Consumed.WaitForAsync<BreakCounter>(TestQueues.CounterSaga, c => c.Faulted, 1, "BreakCounter to fault");

        var counter = await Env.QueryAsync(db => db.Counters.AsNoTracking().SingleAsync(c => c.CorrelationId == id));
        Assert.Equal(0, counter.Count);
        Assert.Equal(0, await CountAsync("outbox_messages"));

        // A CounterClosed leaked by the failed event would reach the recorder before the one the close publishes.
        await host.Bus.Publish(new CloseCounter(id));
        await Env.Log.WaitForAsync<CounterClosed>(m => m.CounterId == id, "CounterClosed from the close");
        Assert.Equal([new CounterClosed(id, "fragile", 0)], Env.Log.Messages<CounterClosed>());
    }

    [Fact]
    public async Task Events_of_many_sagas_arriving_together_share_transactions_and_every_one_applies()
    {
        using var batches = new SagaBatchRecorder();
        var host = await StartSagaHostAsync(outboxDelivery: true);
        var ids = Enumerable.Range(0, 200).Select(_ => NewId.NextGuid()).ToList();

        await Task.WhenAll(ids.Select(id => host.Bus.Publish(new IncrementCounter(id))));
        await Eventually.UntilAsync(async () => await CountAsync("counter_sagas", "count = 1"), n => n == ids.Count, "every counter to be created");
        await Task.WhenAll(ids.Select(id => host.Bus.Publish(new IncrementCounter(id))));
        await Eventually.UntilAsync(async () => await CountAsync("counter_sagas", "count = 2"), n => n == ids.Count, "every counter to reach 2");

        Assert.Equal(2 * ids.Count, await CountAsync("inbox_messages", SagaInbox));
        Assert.Equal(ids.Count, await CountAsync("counter_sagas"));
        Assert.Empty(Env.Consumed.On<IncrementCounter>(TestQueues.CounterSaga, c => c.Faulted));
        // The point of the exercise: the 400 messages did not take 400 transactions.
        Assert.Equal(2 * ids.Count, batches.Messages);
        Assert.True(batches.Largest > 1, $"every message had a transaction of its own ({batches.Transactions} transactions)");
        Assert.True(batches.Transactions < 2 * ids.Count, $"{batches.Transactions} transactions for {2 * ids.Count} messages");
    }

    [Fact]
    public async Task A_failing_event_among_others_fails_alone_and_the_others_commit()
    {
        using var batches = new SagaBatchRecorder();
        var host = await StartSagaHostAsync(outboxDelivery: true, retryLimit: 1);
        var ids = Enumerable.Range(0, 60).Select(_ => NewId.NextGuid()).ToList();
        await Task.WhenAll(ids.Select(id => host.Bus.Publish(new OpenCounter(id, "neighbour"))));
        await Eventually.UntilAsync(async () => await CountAsync("counter_sagas"), n => n == ids.Count, "every counter to be opened");

        var broken = ids[ids.Count / 2];
        await Task.WhenAll(ids.Select(id => id == broken
            ? host.Bus.Publish(new BreakCounter(id))
            : host.Bus.Publish(new IncrementCounter(id))));

        await Env.Consumed.WaitForAsync<BreakCounter>(TestQueues.CounterSaga, c => c.Faulted, 1, "BreakCounter to fault");
        await Eventually.UntilAsync(async () => await CountAsync("counter_sagas", "count = 1"), n => n == ids.Count - 1,
            "every other counter to be incremented");
        var counter = await Env.QueryAsync(db => db.Counters.AsNoTracking().SingleAsync(c => c.CorrelationId == broken));
        Assert.Equal(0, counter.Count);
        Assert.Empty(Env.Consumed.On<IncrementCounter>(TestQueues.CounterSaga, c => c.Faulted));
        Assert.Equal(2 * ids.Count - 1, await CountAsync("inbox_messages", SagaInbox));
        // The failed event's publish was rolled back with it, wherever it ran.
        await Eventually.UntilAsync(async () => await CountAsync("outbox_messages") == 0, "the outbox to be emptied");
        Assert.Empty(Env.Log.Messages<CounterClosed>());
    }

    Task<PlatformTestHost> StartSagaHostAsync(bool outboxDelivery, int retryLimit = 10) =>
        Env.StartHostAsync(o =>
        {
            o.OutboxDelivery = outboxDelivery;
            o.RetryLimit = retryLimit;
            o.Bus = bus => bus.AddConsumer<RecordingConsumer<CounterClosed>>()
                .Endpoint(e =>
                {
                    e.Name = TestQueues.CounterClosed;
                    e.ConcurrentMessageLimit = 1;
                });
            o.Endpoints = (context, cfg) => cfg.ReceiveEndpoint(TestQueues.CounterSaga, e =>
            {
                e.PrefetchCount = 32;
                e.ConcurrentMessageLimit = 16;
                e.StateMachineSaga(
                    new CounterStateMachine(),
                    new PostgresSagaRepository<CounterSaga, PlatformTestDbContext>(
                        context.GetRequiredService<IServiceScopeFactory>(),
                        metrics: context.GetRequiredService<OrchestratorMetrics>()),
                    configure: null);
            });
        });

    Task<CounterSaga?> WaitForCounterAsync(Guid id, Func<CounterSaga?, bool> done, string what) =>
        Eventually.UntilAsync(
            () => Env.QueryAsync(db => db.Counters.AsNoTracking().SingleOrDefaultAsync(c => c.CorrelationId == id)),
            done, what);
}
