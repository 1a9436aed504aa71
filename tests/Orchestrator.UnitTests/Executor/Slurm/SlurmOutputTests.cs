using Orchestrator.Executor.Destinations.Slurm;

namespace Orchestrator.UnitTests.Executor.Slurm;

public sealed class SlurmOutputTests
{
    [Theory]
    [InlineData("1234\n", "1234")]
    [InlineData("1234;cluster\n", "1234")]
    [InlineData("  77  ", "77")]
    public void The_job_id_of_sbatch_parsable(string output, string expected) =>
        Assert.Equal(expected, SlurmOutput.ParseSubmittedJobId(output));

    [Theory]
    [InlineData("")]
    [InlineData("Submitted batch job 12")]
    [InlineData("<html>oops</html>")]
    public void Sbatch_output_without_a_job_id_is_a_clear_error(string output)
    {
        var error = Assert.Throws<SlurmOutputException>(() => SlurmOutput.ParseSubmittedJobId(output));

        Assert.Contains("sbatch printed no job id", error.Message);
    }

    [Fact]
    public void Squeue_line_of_the_job_with_a_reason_holding_colons()
    {
        var entry = SlurmOutput.ParseQueue("12:PENDING:ReqNodeNotAvail,_UnavailableNodes:vm\n", "12");

        Assert.Equal(new SlurmQueueEntry("PENDING", "ReqNodeNotAvail,_UnavailableNodes:vm"), entry);
    }

    [Fact]
    public void Squeue_reason_none_is_no_reason() =>
        Assert.Equal(new SlurmQueueEntry("RUNNING", null), SlurmOutput.ParseQueue("12:RUNNING:None", "12"));

    [Fact]
    public void Squeue_without_the_job_means_slurmctld_no_longer_lists_it()
    {
        Assert.Null(SlurmOutput.ParseQueue("", "12"));
        Assert.Null(SlurmOutput.ParseQueue("13:RUNNING:None\n", "12"));
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("12:running:None")]
    public void Squeue_garbage_is_a_clear_error(string output)
    {
        var error = Assert.Throws<SlurmOutputException>(() => SlurmOutput.ParseQueue(output, "12"));

        Assert.Contains("squeue printed", error.Message);
    }

    [Fact]
    public void Sacct_allocation_line()
    {
        var record = SlurmOutput.ParseAccounting("12|FAILED|3:0|NonZeroExitCode\n", "12");

        Assert.Equal(new SlurmAccountingRecord("FAILED", 3, 0, "NonZeroExitCode"), record);
    }

    [Fact]
    public void Sacct_cancelled_by_a_user_keeps_who()
    {
        var record = SlurmOutput.ParseAccounting("12|CANCELLED by 0|0:15|None\n", "12");

        Assert.Equal(new SlurmAccountingRecord("CANCELLED", 0, 15, null, "by 0"), record);
    }

    [Fact]
    public void Sacct_without_the_job_means_no_record_yet()
    {
        Assert.Null(SlurmOutput.ParseAccounting("", "12"));
        Assert.Null(SlurmOutput.ParseAccounting("12.batch|COMPLETED|0:0|None\n", "12"));
    }

    [Theory]
    [InlineData("12 COMPLETED 0:0", "not 'JobID|State|ExitCode|Reason'")]
    [InlineData("12|completed|0:0|None", "not a Slurm state")]
    [InlineData("12|COMPLETED|zero|None", "not 'code:signal'")]
    public void Sacct_garbage_is_a_clear_error(string output, string message)
    {
        var error = Assert.Throws<SlurmOutputException>(() => SlurmOutput.ParseAccounting(output, "12"));

        Assert.Contains(message, error.Message);
    }
}
