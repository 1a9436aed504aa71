namespace Orchestrator.Bench.Hangfire;

/// <summary>One enqueued job: its Hangfire id and when the enqueue call started and returned (client clock).</summary>
public sealed record EnqueuedJob(long Id, DateTimeOffset SentAt, DateTimeOffset AcceptedAt);
