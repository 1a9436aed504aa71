namespace Orchestrator.Contracts;

/// <summary>One input of <see cref="SubmitJob"/>: a relative path inside the job and exactly one source.</summary>
/// <param name="Content">Small files inline, in the message itself.</param>
/// <param name="Url">An http(s) URL the Api fetches before it stores the job.</param>
/// <param name="MessageData">
/// Large files out of band: the address MassTransit's <c>IMessageDataRepository.PutBytes</c>/<c>PutStream</c> returned
/// for the repository the Api reads (<c>Api:MessageDataDirectory</c>, shared storage).
/// </param>
public sealed record SubmitJobFile(string Path, byte[]? Content = null, Uri? Url = null, Uri? MessageData = null);
