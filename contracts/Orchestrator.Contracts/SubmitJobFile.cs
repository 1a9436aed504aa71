using MassTransit;

namespace Orchestrator.Contracts;

/// <summary>One input of <see cref="SubmitJob"/>: a relative path inside the job and exactly one source.</summary>
/// <param name="Content">Small files inline, in the message itself.</param>
/// <param name="Url">An http(s) URL the Api fetches before it stores the job.</param>
/// <param name="Data">
/// Large files out of band as MassTransit message data (claim check): put them with
/// <c>IMessageDataRepository.PutBytes</c>/<c>PutStream</c> into a repository the Api reads too (by default a
/// <c>FileSystemMessageDataRepository</c> on the directory <c>Api:MessageDataDirectory</c>, shared storage).
/// </param>
public sealed record SubmitJobFile(string Path, byte[]? Content = null, Uri? Url = null, MessageData<byte[]>? Data = null);
