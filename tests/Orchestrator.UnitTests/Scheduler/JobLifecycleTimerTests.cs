namespace Orchestrator.UnitTests.Scheduler;

/// <summary>
/// The timers that watch an attempt (its wait in the queue, its run's deadline) are kept by token while they matter and
/// given up when they no longer do, so they are cancelled rather than delivered later for nothing.
/// </summary>
public sealed class JobLifecycleTimerTests
{
    [Fact]
    public async Task A_queued_job_watches_its_wait_and_not_yet_a_deadline()
    {
        await using var lifecycle = await LifecycleHarness.StartAsync();

        var saga = lifecycle.Job(await lifecycle.JobInStageAsync(JobStage.Queued));

        Assert.NotNull(saga.QueueWaitTokenId);
        Assert.Null(saga.DeadlineTokenId);
    }

    [Theory]
    [InlineData(JobStage.Dispatched)]
    [InlineData(JobStage.Running)]
    public async Task A_dispatched_job_gives_up_its_queue_watch_and_watches_its_deadline(JobStage stage)
    {
        await using var lifecycle = await LifecycleHarness.StartAsync();

        var saga = lifecycle.Job(await lifecycle.JobInStageAsync(stage));

        Assert.Null(saga.QueueWaitTokenId);
        Assert.NotNull(saga.DeadlineTokenId);
    }

    [Theory]
    [InlineData(JobStage.Completed)]
    [InlineData(JobStage.Failed)]
    [InlineData(JobStage.TimedOut)]
    [InlineData(JobStage.Cancelled)]
    [InlineData(JobStage.RetryPending)]
    public async Task A_run_that_ended_watches_nothing(JobStage stage)
    {
        await using var lifecycle = await LifecycleHarness.StartAsync();

        var saga = lifecycle.Job(await lifecycle.JobInStageAsync(stage));

        Assert.Null(saga.QueueWaitTokenId);
        Assert.Null(saga.DeadlineTokenId);
    }
}
