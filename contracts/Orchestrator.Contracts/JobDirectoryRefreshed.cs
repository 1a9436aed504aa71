namespace Orchestrator.Contracts;

/// <summary>The answer to <see cref="RefreshJobDirectory"/>; <paramref name="Error"/> says why the copy failed.</summary>
public sealed record JobDirectoryRefreshed(Guid JobId, bool Refreshed, string? Error = null);
