using MassTransit;
using Orchestrator.IntegrationTests.Platform.Support.Messages;
using Orchestrator.Platform.Messaging;

namespace Orchestrator.IntegrationTests.Platform.Support;

/// <summary>Not idempotent on its own (a fresh row each run): only the inbox keeps a redelivery from applying twice.</summary>
public sealed class StoreRecordConsumer(PlatformTestDbContext db, FaultInjector faults)
    : TransactionalConsumer<PlatformTestDbContext, StoreRecord>(db)
{
    protected override async Task Handle(TransactionalConsumeContext<StoreRecord> context)
    {
        Db.Records.Add(new TestRecord { Id = NewId.NextGuid(), Key = context.Message.Key, Value = context.Message.Value });
        await context.Publish(new RecordStored(context.Message.Key), context.CancellationToken);
        await Db.SaveChangesAsync(context.CancellationToken);
        faults.ThrowIfFailing(context.Message.Key);
    }
}
