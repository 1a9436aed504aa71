using Orchestrator.Executor.Destinations.Dirac;
using Orchestrator.Executor.Destinations.Remote;

namespace Orchestrator.UnitTests.Executor;

public sealed class DiracStatusMappingTests
{
    [Theory]
    [InlineData("Submitting", RemoteRunState.Pending)]
    [InlineData("Received", RemoteRunState.Pending)]
    [InlineData("Checking", RemoteRunState.Pending)]
    [InlineData("Staging", RemoteRunState.Pending)]
    [InlineData("Waiting", RemoteRunState.Pending)]
    [InlineData("Matched", RemoteRunState.Pending)]
    [InlineData("Rescheduled", RemoteRunState.Pending)]
    [InlineData("Running", RemoteRunState.Running)]
    [InlineData("Stalled", RemoteRunState.Running)]
    [InlineData("Completing", RemoteRunState.Running)]
    [InlineData("Completed", RemoteRunState.Running)]
    [InlineData("Done", RemoteRunState.Exited)]
    [InlineData("Failed", RemoteRunState.Failed)]
    [InlineData("Killed", RemoteRunState.Cancelled)]
    [InlineData("Deleted", RemoteRunState.Failed)]
    public void Every_DIRAC_state_has_one_of_ours(string dirac, RemoteRunState ours) =>
        Assert.Equal(ours, DiracStatusMapping.Map(new DiracJobStatus(dirac, null, null)).State);

    [Fact]
    public void Completed_is_not_final_because_DIRAC_moves_it_on_to_Done_or_Failed() =>
        Assert.False(DiracStatusMapping.Map(new DiracJobStatus("Completed", "Uploading Output Sandbox", null)).IsFinal);

    [Fact]
    public void Done_is_a_successful_exit()
    {
        var status = DiracStatusMapping.Map(new DiracJobStatus("Done", "Execution Complete", "Unknown"));

        Assert.Equal(0, status.ExitCode);
        Assert.True(status.IsFinal);
    }

    [Fact]
    public void A_failure_keeps_DIRACs_minor_and_application_status_as_the_reason()
    {
        var status = DiracStatusMapping.Map(new DiracJobStatus("Failed", "Application Finished With Errors", "exit 3"));

        Assert.Equal(RemoteRunState.Failed, status.State);
        Assert.Contains("Application Finished With Errors", status.Detail);
        Assert.Contains("exit 3", status.Detail);
        Assert.Null(status.ExitCode);
    }

    [Fact]
    public void Stalled_says_so_in_its_detail() =>
        Assert.Contains("stalled", DiracStatusMapping.Map(new DiracJobStatus("Stalled", "Watchdog identified this job as stalled", null)).Detail);

    [Fact]
    public void Deleted_says_DIRAC_deleted_the_job() =>
        Assert.Contains("deleted", DiracStatusMapping.Map(new DiracJobStatus("Deleted", null, null)).Detail);

    [Fact]
    public void An_unknown_state_is_a_protocol_error_not_a_guess() =>
        Assert.Throws<DiracProtocolException>(() => DiracStatusMapping.Map(new DiracJobStatus("Sleeping", null, null)));
}
