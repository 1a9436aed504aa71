using Microsoft.EntityFrameworkCore;
using Orchestrator.Api.Jobs;
using Orchestrator.Api.Persistence;
using Orchestrator.Contracts;
using Orchestrator.Platform.Messaging;

namespace Orchestrator.Api.Consumers;

/// <summary>Keeps <c>api.jobs</c> in step with the scheduler. Every transition's time is kept; the state itself only
/// moves forward, so a late or repeated event cannot undo a newer one.</summary>
public sealed class JobStateChangedConsumer(ApiDbContext db, OutboxSignal signal)
    : TransactionalConsumer<ApiDbContext, JobStateChanged>(db, signal)
{
    protected override async Task Handle(TransactionalConsumeContext<JobStateChanged> context)
    {
        var change = context.Message;
        var job = await Db.Jobs.SingleOrDefaultAsync(j => j.JobId == change.JobId, context.CancellationToken);
        if (job is null)
            return;

        job.Stamp(change.State, change.ChangedAt);
        if (change.Sequence <= job.Sequence)
            return;
        job.Sequence = change.Sequence;
        job.State = change.State;
        job.Destination = change.Destination ?? job.Destination;
        job.ExitCode = change.ExitCode ?? job.ExitCode;
        job.Error = change.Error ?? job.Error;
    }
}
