namespace Orchestrator.Platform.Scheduling;

/// <summary>Section <c>MessageScheduler</c>.</summary>
public sealed class SchedulerOptions
{
    /// <summary>Longest sleep between looks for due messages (default 1 s); sets the worst-case lateness.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    public int BatchSize { get; set; } = 100;

    /// <summary>Longest wait for the broker to confirm one message (default 30 s); see <c>OutboxOptions.SendTimeout</c>.</summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
