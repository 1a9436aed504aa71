using Microsoft.Extensions.Options;
using Orchestrator.Platform.Processes;

namespace Orchestrator.Agent.Payloads;

/// <summary>Kills a payload: marks it Killed first (so the runner never reports it otherwise), then stops its process group.</summary>
public sealed class PayloadKiller(PayloadStore store, IOptions<AgentOptions> options, ILogger<PayloadKiller> logger)
{
    /// <summary>Null for an unknown payload; false when its process still lives after the kill.</summary>
    public async Task<bool?> KillAsync(uint id)
    {
        var payload = store.Update(id, p =>
        {
            if (PayloadStatuses.IsFinal(p.Status))
                return false;
            p.Status = PayloadStatuses.Killed;
            p.Killed = true;
            p.FinishedAt = DateTimeOffset.UtcNow;
            return true;
        });
        if (payload is null)
            return null;
        if (payload.Pid == 0)
            return true;

        logger.LogInformation("Killing payload {Id} (process group {Pid})", id, payload.Pid);
        await ProcessGroup.StopAsync(payload.Pid, payload.ProcessStartTicks, options.Value.KillGrace);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(2);
        while (ProcessProbe.IsAlive(payload.Pid, payload.ProcessStartTicks) && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        return !ProcessProbe.IsAlive(payload.Pid, payload.ProcessStartTicks);
    }
}
