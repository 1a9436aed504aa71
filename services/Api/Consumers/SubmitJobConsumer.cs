using MassTransit;
using Orchestrator.Api.Jobs;
using Orchestrator.Api.Security;
using Orchestrator.Contracts;

namespace Orchestrator.Api.Consumers;

/// <summary>
/// Submits a job sent on the bus and answers the sender. The job and its <c>JobSubmitted</c> commit together like an
/// upload's; the answer is sent after the commit. It is not lost to a crash in between: the command is then
/// redelivered, and its MessageId, kept as the job's idempotency key, finds the stored job and answers again.
/// </summary>
public sealed class SubmitJobConsumer(JobSubmissionService submissions, ILogger<SubmitJobConsumer> logger) : IConsumer<SubmitJob>
{
    public async Task Consume(ConsumeContext<SubmitJob> context)
    {
        var command = context.Message;
        var request = new JobRequest(
            command.ClientJobId,
            command.Service,
            command.UserId,
            await InputsAsync(command.Files ?? []),
            command.Environment,
            command.TimeoutSeconds,
            Callback: null);
        // With a client id, the id makes repeats idempotent; without one, the command's own MessageId does.
        var key = command.ClientJobId is null && context.MessageId is { } messageId ? $"bus:{messageId:N}" : null;
        try
        {
            var result = await submissions.SubmitAsync(request, key, ApiCaller.Bus, context.CancellationToken);
            var job = result.Job;
            await context.RespondAsync(new JobAccepted(job.JobId, job.Number, job.PublicId, job.State, result.Created, job.ClientId));
        }
        catch (UploadRejectedException ex)
        {
            logger.LogInformation("SubmitJob {ClientJobId} rejected: {Title}: {Detail}", command.ClientJobId, ex.Title, ex.Message);
            await context.RespondAsync(new JobRejected(command.ClientJobId, ex.StatusCode, ex.Title, ex.Message));
        }
    }

    /// <summary>
    /// Message data kept in the repository is streamed from it by address when the job is stored; data the sender
    /// put inline (small values, with <c>MessageDataDefaults.AlwaysWriteToRepository</c> off) is in the message.
    /// </summary>
    static async Task<List<JobInput>> InputsAsync(IReadOnlyList<SubmitJobFile> files)
    {
        var inputs = new List<JobInput>(files.Count);
        foreach (var file in files)
        {
            if (file.Data is not { HasValue: true } data)
                inputs.Add(new JobInput(file.Path, file.Content, file.Url));
            else if (data.Address is { } address)
                inputs.Add(new JobInput(file.Path, file.Content, file.Url, address));
            else if (file.Content is null)
                inputs.Add(new JobInput(file.Path, await data.Value, file.Url));
            else
                // Two sources: kept apart so that the request's rules refuse it.
                inputs.Add(new JobInput(file.Path, file.Content, file.Url, new Uri("urn:message-data:inline")));
        }

        return inputs;
    }
}
