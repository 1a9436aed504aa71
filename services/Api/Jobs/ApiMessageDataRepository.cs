using MassTransit;
using MassTransit.MessageData;
using Microsoft.Extensions.Options;
using Orchestrator.Platform.Configuration;

namespace Orchestrator.Api.Jobs;

/// <summary>
/// Where bus submissions' message data is read: a file-system repository on <c>Api:MessageDataDirectory</c> (default
/// <c>.message-data</c> under the jobs root). Made on first use, because the bus is configured before the options
/// are validated and a bad storage setting must end the start with the validation's message, not a crash.
/// </summary>
public sealed class ApiMessageDataRepository(IOptions<ApiOptions> api, IOptions<OrchestratorOptions> orchestrator) : IMessageDataRepository
{
    readonly Lazy<FileSystemMessageDataRepository> _files = new(() => new FileSystemMessageDataRepository(new DirectoryInfo(
        api.Value.MessageDataDirectory ?? Path.Combine(orchestrator.Value.Storage.JobsRoot, ".message-data"))));

    public Task<Stream> Get(Uri address, CancellationToken cancellationToken = default) =>
        ((IMessageDataRepository)_files.Value).Get(address, cancellationToken);

    public Task<Uri> Put(Stream stream, TimeSpan? timeToLive = default, CancellationToken cancellationToken = default) =>
        ((IMessageDataRepository)_files.Value).Put(stream, timeToLive, cancellationToken);
}
