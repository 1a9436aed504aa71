using Orchestrator.Executor.Destinations.Remote;
using Orchestrator.Executor.Destinations.Slurm;

namespace Orchestrator.UnitTests.Executor.Slurm;

public sealed class SlurmStatesTests
{
    [Theory]
    [InlineData("PENDING", RemoteRunState.Pending)]
    [InlineData("CONFIGURING", RemoteRunState.Pending)]
    [InlineData("REQUEUED", RemoteRunState.Pending)]
    [InlineData("RUNNING", RemoteRunState.Running)]
    [InlineData("COMPLETING", RemoteRunState.Running)]
    [InlineData("SUSPENDED", RemoteRunState.Running)]
    public void Queued_states_map_to_pending_or_running_with_the_reason(string state, RemoteRunState expected)
    {
        var status = SlurmStates.FromQueue("42", new SlurmQueueEntry(state, "Resources"));

        Assert.Equal(expected, status.State);
        Assert.False(status.IsFinal);
        Assert.Null(status.ExitCode);
        Assert.Equal($"Slurm job 42 is {state} (Resources)", status.Detail);
    }

    [Fact]
    public void A_final_state_in_squeue_is_not_taken_for_a_queued_one()
    {
        var error = Assert.Throws<SlurmOutputException>(() => SlurmStates.FromQueue("42", new SlurmQueueEntry("COMPLETED", null)));

        Assert.Contains("COMPLETED", error.Message);
        Assert.False(SlurmStates.IsActive("COMPLETED"));
        Assert.True(SlurmStates.IsActive("PENDING"));
    }

    [Fact]
    public void Completed_is_exited_with_exit_code_zero_and_no_error()
    {
        var status = SlurmStates.FromAccounting("7", new SlurmAccountingRecord("COMPLETED", 0, 0, null));

        Assert.Equal(new RemoteRunStatus(RemoteRunState.Exited, 0, null), status);
    }

    [Fact]
    public void Failed_with_an_exit_code_is_the_script_exiting_with_it()
    {
        var status = SlurmStates.FromAccounting("7", new SlurmAccountingRecord("FAILED", 3, 0, "NonZeroExitCode"));

        Assert.Equal(RemoteRunState.Exited, status.State);
        Assert.Equal(3, status.ExitCode);
        Assert.Equal("Slurm job 7 ended FAILED (exit code 3, reason NonZeroExitCode)", status.Detail);
    }

    [Fact]
    public void Failed_by_a_signal_is_a_failure_with_the_shell_style_exit_code()
    {
        var status = SlurmStates.FromAccounting("7", new SlurmAccountingRecord("FAILED", 0, 9, null));

        Assert.Equal(RemoteRunState.Failed, status.State);
        Assert.Equal(137, status.ExitCode);
        Assert.Contains("signal 9", status.Detail);
    }

    [Theory]
    [InlineData("NODE_FAIL", "its node failed")]
    [InlineData("BOOT_FAIL", "its node failed to boot")]
    [InlineData("OUT_OF_MEMORY", "it ran out of memory")]
    [InlineData("DEADLINE", "it passed its deadline")]
    [InlineData("PREEMPTED", "it was preempted")]
    public void Failures_of_slurm_map_to_failed_with_the_reason(string state, string reason)
    {
        var status = SlurmStates.FromAccounting("9", new SlurmAccountingRecord(state, 0, 0, null));

        Assert.Equal(RemoteRunState.Failed, status.State);
        Assert.Null(status.ExitCode);
        Assert.Equal($"Slurm job 9 ended {state} (exit code 0): {reason}", status.Detail);
    }

    [Fact]
    public void Out_of_memory_keeps_its_exit_code()
    {
        var status = SlurmStates.FromAccounting("9", new SlurmAccountingRecord("OUT_OF_MEMORY", 0, 125, null));

        Assert.Equal(RemoteRunState.Failed, status.State);
        Assert.Equal(253, status.ExitCode);
        Assert.Contains("out of memory", status.Detail);
    }

    [Fact]
    public void Timeout_is_timed_out()
    {
        var status = SlurmStates.FromAccounting("5", new SlurmAccountingRecord("TIMEOUT", 0, 0, "TimeLimit"));

        Assert.Equal(RemoteRunState.TimedOut, status.State);
        Assert.Contains("time limit", status.Detail);
        Assert.Contains("TimeLimit", status.Detail);
    }

    [Fact]
    public void Cancelled_is_cancelled_and_says_by_whom()
    {
        var status = SlurmStates.FromAccounting("5", new SlurmAccountingRecord("CANCELLED", 0, 15, null, "by 0"));

        Assert.Equal(RemoteRunState.Cancelled, status.State);
        Assert.Equal("Slurm job 5 ended CANCELLED by 0 (exit code 0, signal 15)", status.Detail);
    }

    [Fact]
    public void Accounting_of_a_job_still_running_is_not_final()
    {
        var status = SlurmStates.FromAccounting("5", new SlurmAccountingRecord("RUNNING", 0, 0, null));

        Assert.Equal(RemoteRunState.Running, status.State);
    }

    [Fact]
    public void An_unknown_state_is_a_clear_error()
    {
        var error = Assert.Throws<SlurmOutputException>(() => SlurmStates.FromAccounting("5", new SlurmAccountingRecord("EXPLODED", 0, 0, null)));

        Assert.Contains("EXPLODED", error.Message);
    }
}
