namespace Orchestrator.Contracts;

/// <summary>
/// A request published to every executor: copy the job's files as they are now at its destination into the job's
/// directory (for <c>GET /download_partial/{id}</c>). Only the instance running the job answers, with
/// <see cref="JobDirectoryRefreshed"/>.
/// </summary>
public sealed record RefreshJobDirectory(Guid JobId);
