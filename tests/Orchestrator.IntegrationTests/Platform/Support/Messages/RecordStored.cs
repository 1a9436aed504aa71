namespace Orchestrator.IntegrationTests.Platform.Support.Messages;

/// <summary>Published by <c>StoreRecordConsumer</c> through the outbox of its transaction.</summary>
public sealed record RecordStored(string Key);
