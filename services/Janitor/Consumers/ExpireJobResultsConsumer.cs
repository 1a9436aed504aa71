using MassTransit;
using Microsoft.Extensions.Options;
using Orchestrator.Contracts;
using Orchestrator.Platform.Configuration;
using Orchestrator.Platform.Messaging;

namespace Orchestrator.Janitor.Consumers;

/// <summary>
/// Removes an expired job's directory and reports it. Deleting is idempotent, so a redelivered expiry simply
/// reports again, and the scheduler ignores the repeat.
/// </summary>
public sealed class ExpireJobResultsConsumer(IOptions<OrchestratorOptions> options, ILogger<ExpireJobResultsConsumer> logger)
    : IConsumer<ExpireJobResults>
{
    public async Task Consume(ConsumeContext<ExpireJobResults> context)
    {
        MessagingTelemetry.TagJob(context.Message.JobId);
        var directory = Path.GetFullPath(context.Message.Directory);
        var root = Path.GetFullPath(options.Value.Storage.JobsRoot);

        // Only ever delete inside the jobs root, whatever path a message names.
        if (!directory.StartsWith(root.TrimEnd('/') + "/", StringComparison.Ordinal))
        {
            logger.LogError("Refusing to remove {Directory} for job {JobNumber}: it is outside {JobsRoot}", directory, context.Message.JobNumber, root);
            return;
        }

        if (Directory.Exists(directory))
            Directory.Delete(directory, recursive: true);
        logger.LogInformation("Removed the results of job {JobNumber} ({Directory})", context.Message.JobNumber, directory);
        await context.Publish(new JobResultsCleaned(context.Message.JobId, DateTimeOffset.UtcNow));
    }
}
