using Orchestrator.Contracts;
using Orchestrator.Scheduler.StateMachines.Timers;

namespace Orchestrator.UnitTests.Scheduler;

/// <summary>The scheduler's own watches: the run's deadline (limit plus grace) and the queue-wait warning.</summary>
public sealed class JobLifecycleDeadlineTests
{
    [Fact]
    public async Task Dispatch_schedules_the_deadline_at_the_time_limit_plus_grace()
    {
        await using var lifecycle = await LifecycleHarness.StartAsync();
        var jobId = await lifecycle.JobInStageAsync(JobStage.Queued);
        Assert.Empty(lifecycle.Sent<RunDeadlinePassed>());

        await lifecycle.DispatchAsync(jobId);

        var (timer, context) = Assert.Single(lifecycle.Sent<RunDeadlinePassed>());
        Assert.Equal(new RunDeadlinePassed(jobId, 1), timer);
        Assert.Equal(QueueNames.JobLifecycle, LifecycleHarness.QueueName(context.DestinationAddress));
        var expected = LifecycleHarness.DefaultTimeout + LifecycleHarness.DeadlineGrace;
        Assert.NotNull(context.Delay);
        Assert.InRange(context.Delay.Value, expected - TimeSpan.FromMinutes(1), expected);
    }

    [Theory]
    [InlineData(JobStage.Dispatched)]
    [InlineData(JobStage.Running)]
    public async Task Silent_destination_past_the_deadline_times_the_job_out_and_frees_its_slot(JobStage stage)
    {
        await using var lifecycle = await LifecycleHarness.StartAsync();
        var jobId = await lifecycle.JobInStageAsync(stage);

        await lifecycle.DeliverAsync(new RunDeadlinePassed(jobId, 1));

        lifecycle.AssertState(jobId, m => m.TimedOut);
        Assert.Equal("No report from destination 'local' within the job's limit of 7200 s.", lifecycle.Job(jobId).Error);
        Assert.Equal(new StopRun(jobId, 1, "local"), Assert.Single(lifecycle.Published<StopRun>()));
        Assert.Equal(1, lifecycle.Queue.Released(jobId));
        Assert.Equal(JobStates.TimedOut, lifecycle.Announcements(jobId)[^1].State);
        Assert.Single(lifecycle.Sent<ExpireJobResults>());

        // The report that finally arrives changes nothing and frees nothing twice.
        await lifecycle.DeliverAsync(LifecycleHarness.FinishedEvent(jobId, exitCode: 0));
        lifecycle.AssertState(jobId, m => m.TimedOut);
        Assert.Equal(1, lifecycle.Queue.Released(jobId));
        lifecycle.AssertNoFaults();
    }

    [Theory]
    [InlineData(JobStage.Queued)]
    [InlineData(JobStage.RetryPending)]
    [InlineData(JobStage.Completed)]
    [InlineData(JobStage.Failed)]
    [InlineData(JobStage.Cleaned)]
    public async Task Deadline_where_no_run_is_out_is_ignored(JobStage stage)
    {
        await using var lifecycle = await LifecycleHarness.StartAsync();
        var jobId = await lifecycle.JobInStageAsync(stage);
        var released = lifecycle.Queue.Released(jobId);

        await lifecycle.DeliverAsync(new RunDeadlinePassed(jobId, 1));

        lifecycle.AssertState(jobId, LifecycleHarness.StateOf(stage));
        Assert.Equal(released, lifecycle.Queue.Released(jobId));
        Assert.Empty(lifecycle.Published<StopRun>());
        lifecycle.AssertNoFaults();
    }

    [Fact]
    public async Task Deadline_of_an_earlier_attempt_is_ignored()
    {
        await using var lifecycle = await LifecycleHarness.StartAsync();
        var jobId = await lifecycle.JobInStageAsync(JobStage.RetryPending);
        await lifecycle.DeliverAsync(new RetryDue(jobId, 1));
        await lifecycle.DispatchAsync(jobId, attempt: 2);

        await lifecycle.DeliverAsync(new RunDeadlinePassed(jobId, 1));

        lifecycle.AssertState(jobId, m => m.Dispatched);
        Assert.Equal(2, lifecycle.Job(jobId).Attempt);
        Assert.Empty(lifecycle.Published<StopRun>());
        Assert.Contains(lifecycle.Sent<RunDeadlinePassed>(), t => t.Message == new RunDeadlinePassed(jobId, 2));
        lifecycle.AssertNoFaults();
    }

    /// <summary>
    /// The start that overtakes its dispatch notice schedules the deadline only when <c>DispatchedAt</c> is null, but
    /// <c>DispatchedAt</c> keeps the first attempt's time through a retry. A retried attempt whose start overtakes its
    /// notice therefore gets no deadline at all (the late notice is ignored in Running): if its destination then goes
    /// silent, the job stays Running and holds its slot for ever.
    /// </summary>
    [Fact]
    public async Task Retried_attempt_whose_start_overtakes_its_dispatch_notice_is_watched_by_a_deadline()
    {
        await using var lifecycle = await LifecycleHarness.StartAsync();
        var jobId = await lifecycle.JobInStageAsync(JobStage.RetryPending);
        await lifecycle.DeliverAsync(new RetryDue(jobId, 1));
        lifecycle.Queue.TakeForDispatch(jobId);

        await lifecycle.DeliverAsync(LifecycleHarness.StartedEvent(jobId, attempt: 2));
        await lifecycle.DeliverAsync(LifecycleHarness.DispatchedEvent(jobId, attempt: 2));

        lifecycle.AssertState(jobId, m => m.Running);
        Assert.True(lifecycle.Sent<RunDeadlinePassed>(t => t.JobId == jobId && t.Attempt == 2).Count == 1,
            "No RunDeadlinePassed was scheduled for attempt 2: if its destination goes silent, the job stays Running "
            + "and its quota slot is never released.");
    }

    [Fact]
    public async Task Deadline_arrives_by_itself_when_the_destination_stays_silent()
    {
        var grace = TimeSpan.FromMilliseconds(500);
        await using var lifecycle = await LifecycleHarness.StartAsync(o => o.RunDeadlineGrace = grace);
        var jobId = NewId();
        await lifecycle.DeliverAsync(LifecycleHarness.Submission(jobId, timeoutSeconds: 1));
        var deadline = lifecycle.Tracker.WhenConsumed<RunDeadlinePassed>(t => t.JobId == jobId);
        var dispatchedAt = DateTime.UtcNow;

        await lifecycle.DispatchAsync(jobId);
        await lifecycle.DeliverAsync(LifecycleHarness.StartedEvent(jobId));
        await deadline.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.True(DateTime.UtcNow - dispatchedAt >= TimeSpan.FromSeconds(1) + grace - TimeSpan.FromMilliseconds(50),
            "The deadline came before the time limit and grace were over.");
        lifecycle.AssertState(jobId, m => m.TimedOut);
        Assert.Equal(1, lifecycle.Queue.Released(jobId));
        lifecycle.AssertNoFaults();
    }

    [Fact]
    public async Task Queueing_schedules_the_wait_warning_for_the_service()
    {
        await using var lifecycle = await LifecycleHarness.StartAsync(o => o.Services["generic"].QueueWaitWarning = TimeSpan.FromMinutes(20));

        var jobId = await lifecycle.JobInStageAsync(JobStage.Queued);

        var (timer, context) = Assert.Single(lifecycle.Sent<QueueWaitLimitReached>());
        Assert.Equal(new QueueWaitLimitReached(jobId, 1), timer);
        Assert.Equal(QueueNames.JobLifecycle, LifecycleHarness.QueueName(context.DestinationAddress));
        Assert.NotNull(context.Delay);
        Assert.InRange(context.Delay.Value, TimeSpan.FromMinutes(19), TimeSpan.FromMinutes(20));
    }

    [Fact]
    public async Task Job_queued_past_the_warning_is_reported_and_stays_queued()
    {
        await using var lifecycle = await LifecycleHarness.StartAsync();
        var jobId = await lifecycle.JobInStageAsync(JobStage.Queued);
        var saga = lifecycle.Job(jobId);

        await lifecycle.DeliverAsync(new QueueWaitLimitReached(jobId, 1));

        lifecycle.AssertState(jobId, m => m.Queued);
        Assert.Equal(
            new JobQueueWaitExceeded(jobId, saga.JobNumber, LifecycleHarness.RoutableService, saga.UserId, saga.QueuedAt!.Value),
            Assert.Single(lifecycle.Published<JobQueueWaitExceeded>()));
        Assert.Single(lifecycle.Announcements(jobId));
        Assert.Equal(0, lifecycle.Queue.Withdrawn(jobId));
        lifecycle.AssertNoFaults();
    }

    [Theory]
    [InlineData(JobStage.Dispatched, 1)]
    [InlineData(JobStage.Running, 1)]
    [InlineData(JobStage.Cancelled, 1)]
    [InlineData(JobStage.Queued, 0)]
    [InlineData(JobStage.Queued, 2)]
    public async Task Wait_warning_after_the_job_left_the_queue_or_of_another_attempt_is_ignored(JobStage stage, int attempt)
    {
        await using var lifecycle = await LifecycleHarness.StartAsync();
        var jobId = await lifecycle.JobInStageAsync(stage);

        await lifecycle.DeliverAsync(new QueueWaitLimitReached(jobId, attempt));

        lifecycle.AssertState(jobId, LifecycleHarness.StateOf(stage));
        Assert.Empty(lifecycle.Published<JobQueueWaitExceeded>());
        lifecycle.AssertNoFaults();
    }

    static Guid NewId() => MassTransit.NewId.NextGuid();
}
