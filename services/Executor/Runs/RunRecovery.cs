using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Orchestrator.Executor.Persistence;

namespace Orchestrator.Executor.Runs;

/// <summary>
/// At start-up, before any new job is taken, hands every run an earlier life of this instance left open back to the
/// runner, which follows it to its end or settles it.
/// </summary>
public static class RunRecovery
{
    public static async Task RecoverRunsAsync(this IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<ExecutorOptions>>().Value;
        var runner = services.GetRequiredService<IRunner>();

        List<RunRecord> open;
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ExecutorDbContext>();
            // Named, not "not Finished": the (instance, state) index then reads the open runs only, not every run
            // this instance ever ran.
            string[] openStates = [RunStates.Accepted, RunStates.Running, RunStates.Abandoned];
            open = await db.Runs.AsNoTracking()
                .Where(r => r.InstanceId == options.ResolvedInstanceId && openStates.Contains(r.State))
                .ToListAsync();
        }

        foreach (var run in open)
            await runner.RecoverAsync(run);
    }
}
