namespace Orchestrator.Api.Jobs;

/// <summary>Where to POST the job's CloudEvents, and which of <see cref="Callbacks.CallbackEvents"/> to send.</summary>
public sealed record JobCallback(string? Url, IReadOnlyList<string>? Events);
