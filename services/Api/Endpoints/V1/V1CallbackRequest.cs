namespace Orchestrator.Api.Endpoints.V1;

/// <summary>Where the job's CloudEvents go; <see cref="Events"/> left out means all of them.</summary>
public sealed record V1CallbackRequest(string? Url, IReadOnlyList<string>? Events);
