using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Orchestrator.Executor.Destinations.Local;
using Orchestrator.Executor.Persistence;

namespace Orchestrator.Executor.Runs;

/// <summary>
/// At start-up, before any new job is taken, settles the runs an earlier life of this instance left open: a
/// process still alive is followed to its end; one that ended is reported by its recorded exit code; one that
/// never started or left no exit code is reported lost (and the job fails, as its script may have had effects).
/// </summary>
public static class RunRecovery
{
    public static async Task RecoverRunsAsync(this IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<ExecutorOptions>>().Value;
        var runner = services.GetRequiredService<LocalRunner>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RunRecovery));

        List<RunRecord> open;
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ExecutorDbContext>();
            open = await db.Runs.AsNoTracking()
                .Where(r => r.InstanceId == options.ResolvedInstanceId && r.State != RunStates.Finished)
                .ToListAsync();
        }

        foreach (var run in open)
        {
            if (run.ProcessId is { } pid && ProcessProbe.IsAlive(pid, run.ProcessStartTicks))
            {
                logger.LogInformation("Following job {JobId} attempt {Attempt}, still running as process {ProcessId}", run.JobId, run.Attempt, pid);
                runner.Adopt(run);
            }
            else
            {
                logger.LogWarning("Settling job {JobId} attempt {Attempt}, whose process ended while this executor was down", run.JobId, run.Attempt);
                await runner.SettleAsync(run);
            }
        }
    }
}
