namespace Orchestrator.Bench.Hangfire;

/// <summary>When Hangfire recorded a job's states (its <c>state</c> table), comparable to the Orchestrator's transitions.</summary>
public sealed class JobTimes
{
    public DateTimeOffset? Enqueued { get; set; }

    public DateTimeOffset? Processing { get; set; }

    public DateTimeOffset? Succeeded { get; set; }

    public DateTimeOffset? Failed { get; set; }
}
