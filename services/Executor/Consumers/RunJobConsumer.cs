using System.Data;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Orchestrator.Contracts;
using Orchestrator.Executor.Persistence;
using Orchestrator.Executor.Runs;
using Orchestrator.Platform.Messaging;

namespace Orchestrator.Executor.Consumers;

/// <summary>
/// Accepts a job when a run slot is free, records the run and acknowledges at once: the broker message is never
/// held while the job runs. With no slot free for a while, the job goes to the back of the queue, where another
/// instance may take it.
/// </summary>
public sealed class RunJobConsumer(
    ExecutorDbContext db,
    RunSlots slots,
    IRunner runner,
    IOptions<ExecutorOptions> options,
    ILogger<RunJobConsumer> logger) : IConsumer<RunJob>
{
    public async Task Consume(ConsumeContext<RunJob> context)
    {
        var job = context.Message;
        MessagingTelemetry.TagJob(job.JobId);
        if (!await slots.WaitAsync(options.Value.SlotWaitTimeout, context.CancellationToken))
        {
            logger.LogInformation("No free slot for job {JobId}; returning it to the queue", job.JobId);
            await context.Send(context.ReceiveContext.InputAddress, job);
            return;
        }

        RunRecord? accepted = null;
        try
        {
            accepted = await AcceptAsync(context);
            if (accepted is not null)
                runner.Launch(accepted);
        }
        finally
        {
            if (accepted is null)
                slots.Release();
        }
    }

    /// <summary>Records the run, unless this attempt was already accepted (a redelivered or requeued command).</summary>
    async Task<RunRecord?> AcceptAsync(ConsumeContext<RunJob> context)
    {
        var job = context.Message;
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, context.CancellationToken);
        if (!await db.TryRegisterAsync(context.MessageId, nameof(RunJobConsumer), context.CancellationToken)
            || await db.Runs.AnyAsync(r => r.JobId == job.JobId && r.Attempt == job.Attempt, context.CancellationToken))
        {
            await transaction.CommitAsync(context.CancellationToken);
            return null;
        }

        var run = new RunRecord
        {
            JobId = job.JobId,
            Attempt = job.Attempt,
            InstanceId = options.Value.ResolvedInstanceId,
            Service = job.Service,
            UserId = job.UserId,
            Directory = job.Directory,
            State = RunStates.Accepted,
            AcceptedAt = DateTimeOffset.UtcNow,
            TimeoutSeconds = job.TimeoutSeconds,
            Environment = job.Environment is { Count: > 0 } ? System.Text.Json.JsonSerializer.Serialize(job.Environment) : null,
        };
        db.Runs.Add(run);
        await db.SaveChangesAsync(context.CancellationToken);
        await transaction.CommitAsync(context.CancellationToken);
        return run;
    }
}
