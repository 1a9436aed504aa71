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
            (command.Files ?? []).Select(f => new JobInput(f.Path, f.Content, f.Url, f.MessageData)).ToList(),
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
}
