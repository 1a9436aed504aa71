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
            open = await db.Runs.AsNoTracking()
                .Where(r => r.InstanceId == options.ResolvedInstanceId && r.State != RunStates.Finished)
                .ToListAsync();
        }

        foreach (var run in open)
            await runner.RecoverAsync(run);
    }
}
