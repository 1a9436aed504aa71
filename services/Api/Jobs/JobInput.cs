namespace Orchestrator.Api.Jobs;

/// <summary>One file of a job: its path inside the job's directory and exactly one source of its bytes.</summary>
/// <param name="Content">The bytes themselves, sent inline.</param>
/// <param name="Url">An http(s) address fetched before the job is stored.</param>
/// <param name="MessageData">The address of MassTransit message data in the Api's message data repository.</param>
public sealed record JobInput(string? Path, byte[]? Content = null, Uri? Url = null, Uri? MessageData = null);
