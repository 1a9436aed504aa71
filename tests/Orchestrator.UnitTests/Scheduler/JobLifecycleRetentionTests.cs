using MassTransit;
using Orchestrator.Contracts;

namespace Orchestrator.UnitTests.Scheduler;

/// <summary>Every finished job, however it ended, gets exactly one expiry sent to the Janitor after the retention.</summary>
public sealed class JobLifecycleRetentionTests
{
    [Theory]
    [InlineData(JobStage.Completed)]
    [InlineData(JobStage.Failed)]
    [InlineData(JobStage.TimedOut)]
    [InlineData(JobStage.Cancelled)]
    [InlineData(JobStage.Unroutable)]
    public async Task Finished_job_schedules_its_expiry_to_the_janitor_after_the_retention(JobStage stage)
    {
        await using var lifecycle = await LifecycleHarness.StartAsync();

        var jobId = await lifecycle.JobInStageAsync(stage);

        var (message, context) = Assert.Single(lifecycle.Sent<ExpireJobResults>());
        var saga = lifecycle.Job(jobId);
        Assert.Equal(new ExpireJobResults(jobId, saga.JobNumber, saga.Directory), message);
        Assert.Equal(QueueNames.Janitor, LifecycleHarness.QueueName(context.DestinationAddress));
        Assert.NotNull(context.Delay);
        Assert.InRange(context.Delay.Value, LifecycleHarness.DefaultRetention - TimeSpan.FromMinutes(1), LifecycleHarness.DefaultRetention);
        Assert.NotNull(saga.RetentionTokenId);
        Assert.False(lifecycle.Expiries.FirstArrival.IsCompleted, "The expiry was delivered before its retention was over.");
    }

    [Theory]
    [InlineData(JobStage.Queued)]
    [InlineData(JobStage.Dispatched)]
    [InlineData(JobStage.Running)]
    [InlineData(JobStage.Cancelling)]
    [InlineData(JobStage.RetryPending)]
    public async Task Unfinished_job_has_no_expiry_scheduled(JobStage stage)
    {
        await using var lifecycle = await LifecycleHarness.StartAsync();

        var jobId = await lifecycle.JobInStageAsync(stage);

        Assert.Null(lifecycle.Job(jobId).RetentionTokenId);
        Assert.Empty(lifecycle.Sent<ExpireJobResults>());
    }

    [Fact]
    public async Task Expiry_reaches_the_janitor_once_the_retention_is_over()
    {
        var retention = TimeSpan.FromSeconds(1);
        await using var lifecycle = await LifecycleHarness.StartAsync(o => o.Retention = retention);
        var jobId = await lifecycle.JobInStageAsync(JobStage.Running);
        var finishedPublishedAt = DateTime.UtcNow;

        await lifecycle.DeliverAsync(LifecycleHarness.FinishedEvent(jobId));
        lifecycle.AssertState(jobId, m => m.Completed);

        var (message, arrivedAt) = await lifecycle.Expiries.FirstArrival.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(jobId, message.JobId);
        // A little slack for clock granularity; the point is that it was not delivered at once.
        Assert.True(arrivedAt - finishedPublishedAt >= retention - TimeSpan.FromMilliseconds(50),
            $"The expiry arrived {(arrivedAt - finishedPublishedAt).TotalMilliseconds} ms after the job finished; the retention is {retention.TotalMilliseconds} ms.");
    }
}
