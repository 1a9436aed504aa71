namespace Orchestrator.Contracts;

/// <summary>The dispatcher gave the job a quota slot and sent its <see cref="RunJob"/> to the destination.</summary>
public sealed record JobDispatched(Guid JobId, int Attempt, string Destination, DateTimeOffset DispatchedAt);
