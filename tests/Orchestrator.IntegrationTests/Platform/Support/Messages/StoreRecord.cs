namespace Orchestrator.IntegrationTests.Platform.Support.Messages;

/// <summary>Asks <c>StoreRecordConsumer</c> to insert a (non-idempotent) record row.</summary>
public sealed record StoreRecord(string Key, string Value);
