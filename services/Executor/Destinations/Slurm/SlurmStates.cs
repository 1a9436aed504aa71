using Orchestrator.Executor.Destinations.Remote;

namespace Orchestrator.Executor.Destinations.Slurm;

/// <summary>Slurm's job states (as <c>squeue --format=%T</c> and <c>sacct</c> name them) in our terms.</summary>
public static class SlurmStates
{
    static readonly HashSet<string> Waiting =
        ["PENDING", "CONFIGURING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESV_DEL_HOLD"];

    /// <summary>States of a job that has its allocation, including a suspended one and one whose processes are ending.</summary>
    static readonly HashSet<string> Holding =
        ["RUNNING", "COMPLETING", "SUSPENDED", "STOPPED", "SIGNALING", "STAGE_OUT", "RESIZING", "POWER_UP_NODE"];

    /// <summary>Final states in which Slurm, not the script, ended the job.</summary>
    static readonly Dictionary<string, string> Failures = new()
    {
        ["NODE_FAIL"] = "its node failed",
        ["BOOT_FAIL"] = "its node failed to boot",
        ["OUT_OF_MEMORY"] = "it ran out of memory",
        ["DEADLINE"] = "it passed its deadline",
        ["PREEMPTED"] = "it was preempted",
        ["SPECIAL_EXIT"] = "it ended in a special exit state",
        ["REVOKED"] = "its federated sibling was revoked",
    };

    /// <summary>Whether Slurm may still change the job's state (squeue's view is then enough).</summary>
    public static bool IsActive(string state) => Waiting.Contains(Word(state)) || Holding.Contains(Word(state));

    /// <summary>The status of a job slurmctld still lists as pending or running.</summary>
    public static RemoteRunStatus FromQueue(string jobId, SlurmQueueEntry entry)
    {
        var state = Word(entry.State);
        var detail = $"Slurm job {jobId} is {state}{(entry.Reason is null ? "" : $" ({entry.Reason})")}";
        if (Waiting.Contains(state))
            return new RemoteRunStatus(RemoteRunState.Pending, null, detail);
        if (Holding.Contains(state))
            return new RemoteRunStatus(RemoteRunState.Running, null, detail);
        throw new SlurmOutputException($"squeue listed job {jobId} as '{entry.State}', which is not a pending or running Slurm state.");
    }

    /// <summary>The status of a job as accounting records it; final states carry the exit code and reason.</summary>
    public static RemoteRunStatus FromAccounting(string jobId, SlurmAccountingRecord record)
    {
        var state = Word(record.State);
        if (Waiting.Contains(state) || Holding.Contains(state))
            return FromQueue(jobId, new SlurmQueueEntry(state, record.Reason));

        var ended = record.Signal == 0 ? $"exit code {record.ExitCode}" : $"exit code {record.ExitCode}, signal {record.Signal}";
        var reason = record.Reason is null ? "" : $", reason {record.Reason}";
        var by = record.StateDetail is null ? "" : $" {record.StateDetail}";
        var detail = $"Slurm job {jobId} ended {state}{by} ({ended}{reason})";
        int? exitCode = record.ExitCode != 0 ? record.ExitCode : record.Signal != 0 ? 128 + record.Signal : null;
        switch (state)
        {
            case "COMPLETED":
                return new RemoteRunStatus(RemoteRunState.Exited, record.ExitCode, record.ExitCode == 0 ? null : detail);
            case "FAILED" when record.ExitCode != 0 && record.Signal == 0:
                // The batch script exited non-zero by itself: the script's failure, told by its exit code.
                return new RemoteRunStatus(RemoteRunState.Exited, record.ExitCode, detail);
            case "FAILED":
                return new RemoteRunStatus(RemoteRunState.Failed, exitCode, $"{detail}: the job could not run or was killed");
            case "TIMEOUT":
                return new RemoteRunStatus(RemoteRunState.TimedOut, exitCode, $"{detail}: it ran past its Slurm time limit");
            case "CANCELLED":
                return new RemoteRunStatus(RemoteRunState.Cancelled, exitCode, detail);
        }

        if (Failures.TryGetValue(state, out var why))
            return new RemoteRunStatus(RemoteRunState.Failed, exitCode, $"{detail}: {why}");
        throw new SlurmOutputException($"sacct recorded job {jobId} in state '{record.State}', which this adapter does not know.");
    }

    static string Word(string state) => state.TrimEnd('+');
}
