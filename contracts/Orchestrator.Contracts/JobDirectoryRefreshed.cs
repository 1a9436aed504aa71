namespace Orchestrator.Contracts;

/// <summary>The answer to <see cref="RefreshJobDirectory"/>; <paramref name="Error"/> says why the copy failed.</summary>
/// <param name="NotAtDestination">The run has not been handed to its destination yet, so there is nothing to copy.</param>
public sealed record JobDirectoryRefreshed(Guid JobId, bool Refreshed, string? Error = null, bool NotAtDestination = false);
