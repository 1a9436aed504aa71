namespace Orchestrator.Agent.Payloads;

/// <summary>What the agent keeps about one payload, one JSON file per payload in <see cref="AgentOptions.StatePath"/>.</summary>
public sealed class PayloadRecord
{
    public uint Id { get; set; }

    public required string Status { get; set; }

    /// <summary>The payload's directory, where its files are and <c>run.sh</c> runs.</summary>
    public required string Loc { get; set; }

    /// <summary>Names of the submitted files.</summary>
    public List<string> Files { get; set; } = [];

    /// <summary>Process id of the run's session leader, 0 before it starts (as the anchor).</summary>
    public int Pid { get; set; }

    /// <summary>The process's start time in clock ticks since boot, so a reused pid is never taken for the run.</summary>
    public long? ProcessStartTicks { get; set; }

    public bool Killed { get; set; }

    public int? ExitCode { get; set; }

    /// <summary>Why a payload failed without an exit code (its process vanished, could not start...).</summary>
    public string? Reason { get; set; }

    /// <summary>Passed to the run as <c>ORCHESTRATOR_JOB_ID</c>.</summary>
    public Guid RunId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }
}
