using Orchestrator.Contracts;
using Orchestrator.Scheduler.StateMachines.Timers;

namespace Orchestrator.UnitTests.Scheduler;

/// <summary>Attempts that failed for the infrastructure's sake are retried after a back-off, within the service's policy.</summary>
public sealed class JobLifecycleRetryTests
{
    [Fact]
    public async Task Run_that_could_not_start_waits_for_a_retry_with_its_slot_freed()
    {
        await using var lifecycle = await LifecycleHarness.StartAsync();
        var jobId = await lifecycle.JobInStageAsync(JobStage.Dispatched);

        await lifecycle.DeliverAsync(LifecycleHarness.FinishedEvent(jobId, outcome: RunOutcomes.NotStarted, exitCode: null, error: "destination unreachable"));

        lifecycle.AssertState(jobId, m => m.RetryPending);
        Assert.Equal(1, lifecycle.Queue.Released(jobId));
        var (timer, context) = Assert.Single(lifecycle.Sent<RetryDue>());
        Assert.Equal(new RetryDue(jobId, 1), timer);
        Assert.Equal(QueueNames.JobLifecycle, LifecycleHarness.QueueName(context.DestinationAddress));
        Assert.NotNull(context.Delay);
        Assert.InRange(context.Delay.Value, TimeSpan.FromSeconds(9), TimeSpan.FromSeconds(10));
        var pending = lifecycle.Announcements(jobId)[^1];
        Assert.Equal(JobStates.RetryPending, pending.State);
        Assert.Equal(RunOutcomes.NotStarted, pending.Outcome);
        Assert.Equal("destination unreachable", pending.Error);
        Assert.Empty(lifecycle.Sent<ExpireJobResults>());
        lifecycle.AssertNoFaults();
    }

    [Fact]
    public async Task Due_retry_queues_the_next_attempt_which_alone_counts_from_then_on()
    {
        await using var lifecycle = await LifecycleHarness.StartAsync();
        var jobId = await lifecycle.JobInStageAsync(JobStage.RetryPending);

        await lifecycle.DeliverAsync(new RetryDue(jobId, 1));

        lifecycle.AssertState(jobId, m => m.Queued);
        Assert.Equal(2, lifecycle.Job(jobId).Attempt);
        Assert.Equal([1, 2], lifecycle.Queue.Enqueued(jobId).Select(q => q.Attempt));
        var queued = lifecycle.Announcements(jobId)[^1];
        Assert.Equal(JobStates.Queued, queued.State);
        Assert.Equal(2, queued.Attempt);
        Assert.Contains(lifecycle.Sent<QueueWaitLimitReached>(), t => t.Message == new QueueWaitLimitReached(jobId, 2));

        // Reports of the first attempt, arriving late, change nothing; the second attempt runs its course.
        await lifecycle.DeliverAsync(LifecycleHarness.DispatchedEvent(jobId, attempt: 1));
        await lifecycle.DeliverAsync(LifecycleHarness.StartedEvent(jobId, attempt: 1));
        await lifecycle.DeliverAsync(LifecycleHarness.FinishedEvent(jobId, attempt: 1, exitCode: 0));
        lifecycle.AssertState(jobId, m => m.Queued);

        await lifecycle.DispatchAsync(jobId, attempt: 2);
        await lifecycle.DeliverAsync(LifecycleHarness.StartedEvent(jobId, attempt: 2));
        await lifecycle.DeliverAsync(LifecycleHarness.FinishedEvent(jobId, attempt: 2, exitCode: 0));

        lifecycle.AssertState(jobId, m => m.Completed);
        Assert.Equal(2, lifecycle.Queue.Released(jobId));
        var announced = lifecycle.Announcements(jobId);
        Assert.Equal(
            [JobStates.Queued, JobStates.Dispatched, JobStates.RetryPending, JobStates.Queued, JobStates.Dispatched, JobStates.Running, JobStates.Completed],
            announced.Select(a => a.State));
        Assert.Equal(Enumerable.Range(1, announced.Count), announced.Select(a => a.Sequence));
        lifecycle.AssertNoFaults();
    }

    [Fact]
    public async Task Retry_timer_of_another_attempt_is_ignored()
    {
        await using var lifecycle = await LifecycleHarness.StartAsync();
        var jobId = await lifecycle.JobInStageAsync(JobStage.RetryPending);

        await lifecycle.DeliverAsync(new RetryDue(jobId, 0));
        await lifecycle.DeliverAsync(new RetryDue(jobId, 2));

        lifecycle.AssertState(jobId, m => m.RetryPending);
        Assert.Single(lifecycle.Queue.Enqueued(jobId));
        lifecycle.AssertNoFaults();
    }

    [Fact]
    public async Task Back_off_doubles_and_the_last_attempt_fails_the_job()
    {
        await using var lifecycle = await LifecycleHarness.StartAsync(o =>
        {
            o.Services["generic"].Retry.InitialDelay = TimeSpan.FromSeconds(4);
            o.Services["generic"].Retry.MaxAttempts = 3;
        });
        var jobId = await lifecycle.JobInStageAsync(JobStage.Queued);

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await lifecycle.DispatchAsync(jobId, attempt);
            await lifecycle.DeliverAsync(LifecycleHarness.FinishedEvent(jobId, attempt, RunOutcomes.NotStarted, exitCode: null));
            if (attempt < 3)
            {
                lifecycle.AssertState(jobId, m => m.RetryPending);
                await lifecycle.DeliverAsync(new RetryDue(jobId, attempt));
            }
        }

        lifecycle.AssertState(jobId, m => m.Failed);
        Assert.Equal("The job could not be started.", lifecycle.Job(jobId).Error);
        var delays = lifecycle.Sent<RetryDue>().Select(t => t.Context.Delay!.Value).ToList();
        Assert.Equal(2, delays.Count);
        Assert.InRange(delays[0], TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(4));
        Assert.InRange(delays[1], TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(8));
        Assert.Equal(3, lifecycle.Queue.Released(jobId));
        Assert.Single(lifecycle.Sent<ExpireJobResults>());
        lifecycle.AssertNoFaults();
    }

    [Theory]
    [InlineData(false, JobStates.Failed)]
    [InlineData(true, JobStates.RetryPending)]
    public async Task Lost_run_is_retried_only_when_the_service_allows_it(bool retryLostRuns, string expected)
    {
        await using var lifecycle = await LifecycleHarness.StartAsync(o => o.Services["generic"].Retry.RetryLostRuns = retryLostRuns);
        var jobId = await lifecycle.JobInStageAsync(JobStage.Running);

        await lifecycle.DeliverAsync(LifecycleHarness.FinishedEvent(jobId, outcome: RunOutcomes.Lost, exitCode: null));

        lifecycle.AssertState(jobId, expected);
        lifecycle.AssertNoFaults();
    }

    [Theory]
    [InlineData(75, JobStates.RetryPending)]
    [InlineData(1, JobStates.Failed)]
    public async Task Only_listed_exit_codes_are_retried(int exitCode, string expected)
    {
        await using var lifecycle = await LifecycleHarness.StartAsync(o => o.Services["generic"].Retry.RetryExitCodes = [75]);
        var jobId = await lifecycle.JobInStageAsync(JobStage.Running);

        await lifecycle.DeliverAsync(LifecycleHarness.FinishedEvent(jobId, exitCode: exitCode));

        lifecycle.AssertState(jobId, expected);
        lifecycle.AssertNoFaults();
    }

    [Theory]
    [InlineData(RunOutcomes.TimedOut, JobStates.TimedOut)]
    [InlineData(RunOutcomes.Cancelled, JobStates.Cancelled)]
    public async Task Timed_out_or_cancelled_runs_are_final_and_not_retried(string outcome, string expected)
    {
        await using var lifecycle = await LifecycleHarness.StartAsync(o => o.Services["generic"].Retry.RetryLostRuns = true);
        var jobId = await lifecycle.JobInStageAsync(JobStage.Running);

        await lifecycle.DeliverAsync(LifecycleHarness.FinishedEvent(jobId, outcome: outcome, exitCode: null));

        lifecycle.AssertState(jobId, expected);
        Assert.Empty(lifecycle.Sent<RetryDue>());
        Assert.Equal(1, lifecycle.Queue.Released(jobId));
        lifecycle.AssertNoFaults();
    }

    [Fact]
    public async Task Scheduled_retry_arrives_by_itself_after_the_back_off()
    {
        var backOff = TimeSpan.FromSeconds(1);
        await using var lifecycle = await LifecycleHarness.StartAsync(o => o.Services["generic"].Retry.InitialDelay = backOff);
        var jobId = await lifecycle.JobInStageAsync(JobStage.Dispatched);
        var retried = lifecycle.Tracker.WhenConsumed<RetryDue>(t => t.JobId == jobId);
        var failedAt = DateTime.UtcNow;

        await lifecycle.DeliverAsync(LifecycleHarness.FinishedEvent(jobId, outcome: RunOutcomes.NotStarted, exitCode: null));
        lifecycle.AssertState(jobId, m => m.RetryPending);
        await retried.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.True(DateTime.UtcNow - failedAt >= backOff - TimeSpan.FromMilliseconds(50), "The retry came before its back-off was over.");
        lifecycle.AssertState(jobId, m => m.Queued);
        Assert.Equal(2, lifecycle.Job(jobId).Attempt);
        lifecycle.AssertNoFaults();
    }
}
