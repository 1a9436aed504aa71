using Microsoft.Extensions.Options;
using Orchestrator.Platform.Processes;

namespace Orchestrator.Agent.Payloads;

/// <summary>
/// Starts prepared payloads (<c>bash run.sh</c> through the launcher's wrapper, which records the exit code, so the
/// script needs no <c>trap</c>) and settles running ones: by the recorded exit code, or Failed when the process is
/// gone without one. Running payloads found after a restart are followed the same way by their stored pid.
/// </summary>
public sealed class PayloadRunner(
    PayloadStore store,
    IOptions<AgentOptions> options,
    ILogger<PayloadRunner> logger) : BackgroundService
{
    static readonly TimeSpan CleanupInterval = TimeSpan.FromMinutes(1);

    DateTimeOffset _lastCleanup = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                Tick();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                logger.LogError(ex, "Payload state could not be updated; trying again");
            }

            await Task.Delay(options.Value.PollInterval, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>One pass over the payloads; public so a test can drive it.</summary>
    public void Tick()
    {
        var payloads = store.All();
        var running = payloads.Count(p => p.Status == PayloadStatuses.Running);
        foreach (var payload in payloads.OrderBy(p => p.Id))
        {
            if (payload.Status == PayloadStatuses.Running)
                Settle(payload);
            else if (payload.Status == PayloadStatuses.Prepared
                     && (options.Value.MaxConcurrentRuns <= 0 || running < options.Value.MaxConcurrentRuns)
                     && Start(payload.Id))
                running++;
        }

        if (DateTimeOffset.UtcNow - _lastCleanup > CleanupInterval)
        {
            _lastCleanup = DateTimeOffset.UtcNow;
            Clean(payloads);
        }
    }

    bool Start(uint id)
    {
        var started = false;
        store.Update(id, payload =>
        {
            // A kill may have come in since the payloads were read.
            if (payload.Status != PayloadStatuses.Prepared)
                return false;
            try
            {
                var process = LocalProcessLauncher.Start(payload.Loc, payload.RunId);
                // The launcher reaps the process when it ends; the payload is settled from its recorded exit code.
                payload.Pid = process.Id;
                payload.ProcessStartTicks = process.StartTicks;
                payload.Status = PayloadStatuses.Running;
                payload.StartedAt = DateTimeOffset.UtcNow;
                started = true;
                logger.LogInformation("Payload {Id} started as process {Pid}", id, process.Id);
            }
            catch (Exception ex) when (ex is IOException or System.ComponentModel.Win32Exception or InvalidOperationException)
            {
                payload.Status = PayloadStatuses.Failed;
                payload.Reason = $"run.sh could not be started: {ex.Message}";
                payload.FinishedAt = DateTimeOffset.UtcNow;
                logger.LogWarning("Payload {Id} could not be started: {Reason}", id, ex.Message);
            }

            return true;
        });
        return started;
    }

    void Settle(PayloadRecord seen)
    {
        if (ProcessProbe.IsAlive(seen.Pid, seen.ProcessStartTicks))
            return;
        store.Update(seen.Id, payload =>
        {
            if (payload.Status != PayloadStatuses.Running)
                return false;
            // The wrapper writes the exit code before it exits, so a dead process without one never recorded it.
            var exitCode = LocalProcessLauncher.ReadExitCode(payload.Loc);
            payload.ExitCode = exitCode;
            payload.FinishedAt = DateTimeOffset.UtcNow;
            if (exitCode == 0)
                payload.Status = PayloadStatuses.Completed;
            else
            {
                payload.Status = PayloadStatuses.Failed;
                payload.Reason = exitCode is null
                    ? "The payload's process ended without recording an exit code (killed outside the agent, or the machine lost it)."
                    : $"run.sh exited with code {exitCode}.";
            }

            logger.LogInformation("Payload {Id} {Status} (exit code {ExitCode})", payload.Id, payload.Status, exitCode);
            return true;
        });
    }

    void Clean(IReadOnlyList<PayloadRecord> payloads)
    {
        var cutoff = DateTimeOffset.UtcNow - options.Value.MaxAge;
        foreach (var payload in payloads.Where(p => (p.Status is PayloadStatuses.Completed or PayloadStatuses.Failed or PayloadStatuses.Killed)
                                                    && (p.FinishedAt ?? p.CreatedAt) < cutoff))
        {
            try
            {
                if (Directory.Exists(payload.Loc))
                    Directory.Delete(payload.Loc, recursive: true);
                store.Update(payload.Id, p =>
                {
                    p.Status = PayloadStatuses.Cleaned;
                    return true;
                });
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                logger.LogWarning("Payload {Id} could not be cleaned: {Reason}", payload.Id, ex.Message);
            }
        }
    }
}
