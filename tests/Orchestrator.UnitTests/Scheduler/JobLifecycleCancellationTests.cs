using Orchestrator.Contracts;
using Orchestrator.Scheduler.StateMachines.Timers;

namespace Orchestrator.UnitTests.Scheduler;

/// <summary>Cancelling a job wherever it is: out of the queue at once, or stopped at its destination and confirmed.</summary>
public sealed class JobLifecycleCancellationTests
{
    [Theory]
    [InlineData("not needed any more", "not needed any more")]
    [InlineData(null, "Cancelled on request.")]
    public async Task Queued_job_is_withdrawn_and_cancelled_at_once(string? reason, string expectedError)
    {
        await using var lifecycle = await LifecycleHarness.StartAsync();
        var jobId = await lifecycle.JobInStageAsync(JobStage.Queued);

        await lifecycle.DeliverAsync(new CancelJob(jobId, reason));

        lifecycle.AssertState(jobId, m => m.Cancelled);
        var saga = lifecycle.Job(jobId);
        Assert.Equal(expectedError, saga.Error);
        Assert.NotNull(saga.FinishedAt);
        Assert.Equal(1, lifecycle.Queue.Withdrawn(jobId));
        // It never held a slot, and nothing runs that would need stopping.
        Assert.Equal(0, lifecycle.Queue.Released(jobId));
        Assert.Empty(lifecycle.Published<StopRun>());
        Assert.Equal([JobStates.Queued, JobStates.Cancelled], lifecycle.AnnouncedStates(jobId));
        Assert.Equal(expectedError, lifecycle.Announcements(jobId)[^1].Error);
        Assert.Single(lifecycle.Sent<ExpireJobResults>());
        lifecycle.AssertNoFaults();
    }

    [Fact]
    public async Task Queued_job_the_dispatcher_already_took_is_stopped_at_its_destination()
    {
        await using var lifecycle = await LifecycleHarness.StartAsync();
        var jobId = await lifecycle.JobInStageAsync(JobStage.Queued);
        lifecycle.Queue.TakeForDispatch(jobId);

        await lifecycle.DeliverAsync(new CancelJob(jobId, "too slow"));

        lifecycle.AssertState(jobId, m => m.Cancelling);
        Assert.Equal(new StopRun(jobId, 1, "local", "too slow"), Assert.Single(lifecycle.Published<StopRun>()));
        Assert.Equal([JobStates.Queued, JobStates.Cancelling], lifecycle.AnnouncedStates(jobId));

        await lifecycle.DeliverAsync(LifecycleHarness.FinishedEvent(jobId, outcome: RunOutcomes.Cancelled, exitCode: null));

        lifecycle.AssertState(jobId, m => m.Cancelled);
        Assert.Equal(1, lifecycle.Queue.Released(jobId));
        Assert.Equal("too slow", lifecycle.Job(jobId).Error);
        lifecycle.AssertNoFaults();
    }

    /// <summary>
    /// A job cancelled between the dispatcher taking it and its dispatch notice reaching the saga holds a slot, yet no
    /// deadline watches it: the notice is ignored in Cancelling, so if the destination never confirms the stop the job
    /// stays Cancelling and keeps its slot for ever. Jobs cancelled after the notice are covered by the dispatch's deadline.
    /// </summary>
    [Fact]
    public async Task Job_cancelled_before_its_dispatch_notice_is_still_watched_by_a_deadline()
    {
        await using var lifecycle = await LifecycleHarness.StartAsync();
        var jobId = await lifecycle.JobInStageAsync(JobStage.Queued);
        lifecycle.Queue.TakeForDispatch(jobId);

        await lifecycle.DeliverAsync(new CancelJob(jobId));
        await lifecycle.DeliverAsync(LifecycleHarness.DispatchedEvent(jobId));

        lifecycle.AssertState(jobId, m => m.Cancelling);
        Assert.True(lifecycle.Sent<RunDeadlinePassed>(t => t.JobId == jobId && t.Attempt == 1).Count == 1,
            "No RunDeadlinePassed was scheduled for the dispatched attempt: if the destination never confirms the stop, "
            + "the job stays Cancelling and its quota slot is never released.");
    }

    [Theory]
    [InlineData(JobStage.Dispatched)]
    [InlineData(JobStage.Running)]
    public async Task Dispatched_or_running_job_is_stopped_and_cancelled_once_the_destination_confirms(JobStage stage)
    {
        await using var lifecycle = await LifecycleHarness.StartAsync();
        var jobId = await lifecycle.JobInStageAsync(stage);

        await lifecycle.DeliverAsync(new CancelJob(jobId, "wrong input"));

        lifecycle.AssertState(jobId, m => m.Cancelling);
        Assert.Equal(new StopRun(jobId, 1, "local", "wrong input"), Assert.Single(lifecycle.Published<StopRun>()));
        Assert.Equal(0, lifecycle.Queue.Withdrawn(jobId));
        Assert.Equal(0, lifecycle.Queue.Released(jobId));
        Assert.Equal(JobStates.Cancelling, lifecycle.Announcements(jobId)[^1].State);

        await lifecycle.DeliverAsync(LifecycleHarness.FinishedEvent(jobId, outcome: RunOutcomes.Cancelled, exitCode: null));

        lifecycle.AssertState(jobId, m => m.Cancelled);
        var saga = lifecycle.Job(jobId);
        Assert.Equal("wrong input", saga.Error);
        Assert.Equal(RunOutcomes.Cancelled, saga.LastOutcome);
        Assert.Equal(1, lifecycle.Queue.Released(jobId));
        Assert.Single(lifecycle.Sent<ExpireJobResults>());
        lifecycle.AssertNoFaults();
    }

    [Theory]
    [InlineData(RunOutcomes.Exited, 0)]
    [InlineData(RunOutcomes.Exited, 1)]
    [InlineData(RunOutcomes.Lost, null)]
    public async Task Any_end_of_the_run_while_cancelling_counts_as_cancelled(string outcome, int? exitCode)
    {
        await using var lifecycle = await LifecycleHarness.StartAsync(o => o.Services["generic"].Retry.RetryLostRuns = true);
        var jobId = await lifecycle.JobInStageAsync(JobStage.Cancelling);

        await lifecycle.DeliverAsync(LifecycleHarness.FinishedEvent(jobId, outcome: outcome, exitCode: exitCode));

        lifecycle.AssertState(jobId, m => m.Cancelled);
        Assert.Equal(RunOutcomes.Cancelled, lifecycle.Announcements(jobId)[^1].Outcome);
        Assert.Empty(lifecycle.Sent<RetryDue>());
        Assert.Equal(1, lifecycle.Queue.Released(jobId));
        lifecycle.AssertNoFaults();
    }

    [Fact]
    public async Task Run_that_starts_after_the_stop_is_stopped_again()
    {
        await using var lifecycle = await LifecycleHarness.StartAsync();
        var jobId = await lifecycle.JobInStageAsync(JobStage.Queued);
        await lifecycle.DispatchAsync(jobId);
        await lifecycle.DeliverAsync(new CancelJob(jobId));

        await lifecycle.DeliverAsync(LifecycleHarness.StartedEvent(jobId));

        lifecycle.AssertState(jobId, m => m.Cancelling);
        Assert.Equal(2, lifecycle.Published<StopRun>(s => s.JobId == jobId && s.Attempt == 1).Count);
        lifecycle.AssertNoFaults();
    }

    [Fact]
    public async Task Repeated_cancel_while_cancelling_sends_no_second_stop()
    {
        await using var lifecycle = await LifecycleHarness.StartAsync();
        var jobId = await lifecycle.JobInStageAsync(JobStage.Cancelling);
        var announced = lifecycle.Announcements(jobId).Count;

        await lifecycle.DeliverAsync(new CancelJob(jobId, "again"));

        lifecycle.AssertState(jobId, m => m.Cancelling);
        Assert.Single(lifecycle.Published<StopRun>());
        Assert.Equal(announced, lifecycle.Announcements(jobId).Count);
        lifecycle.AssertNoFaults();
    }

    [Fact]
    public async Task Destination_that_never_confirms_the_stop_is_given_up_at_the_deadline()
    {
        await using var lifecycle = await LifecycleHarness.StartAsync();
        var jobId = await lifecycle.JobInStageAsync(JobStage.Cancelling);

        await lifecycle.DeliverAsync(new RunDeadlinePassed(jobId, 1));

        lifecycle.AssertState(jobId, m => m.Cancelled);
        Assert.Equal("Destination 'local' never confirmed the stop.", lifecycle.Job(jobId).Error);
        Assert.Equal(1, lifecycle.Queue.Released(jobId));
        Assert.Single(lifecycle.Sent<ExpireJobResults>());

        // The confirmation, should it come after all, frees nothing twice.
        await lifecycle.DeliverAsync(LifecycleHarness.FinishedEvent(jobId, outcome: RunOutcomes.Cancelled, exitCode: null));
        Assert.Equal(1, lifecycle.Queue.Released(jobId));
        lifecycle.AssertNoFaults();
    }

    [Fact]
    public async Task Job_waiting_for_a_retry_is_cancelled_at_once_and_not_queued_again()
    {
        await using var lifecycle = await LifecycleHarness.StartAsync();
        var jobId = await lifecycle.JobInStageAsync(JobStage.RetryPending);

        await lifecycle.DeliverAsync(new CancelJob(jobId, "enough"));
        await lifecycle.DeliverAsync(new RetryDue(jobId, 1));

        lifecycle.AssertState(jobId, m => m.Cancelled);
        Assert.Equal("enough", lifecycle.Job(jobId).Error);
        Assert.Empty(lifecycle.Published<StopRun>());
        Assert.Single(lifecycle.Queue.Enqueued(jobId));
        // The slot went back when the attempt failed; cancelling must not give it back a second time.
        Assert.Equal(1, lifecycle.Queue.Released(jobId));
        Assert.Single(lifecycle.Sent<ExpireJobResults>());
        lifecycle.AssertNoFaults();
    }

    [Theory]
    [InlineData(JobStage.Completed)]
    [InlineData(JobStage.Failed)]
    [InlineData(JobStage.TimedOut)]
    [InlineData(JobStage.Cancelled)]
    [InlineData(JobStage.Cleaned)]
    [InlineData(JobStage.Unroutable)]
    public async Task Cancelling_a_finished_job_changes_nothing(JobStage stage)
    {
        await using var lifecycle = await LifecycleHarness.StartAsync();
        var jobId = await lifecycle.JobInStageAsync(stage);
        var error = lifecycle.Job(jobId).Error;
        var announced = lifecycle.Announcements(jobId).Count;

        await lifecycle.DeliverAsync(new CancelJob(jobId, "late"));

        lifecycle.AssertState(jobId, LifecycleHarness.StateOf(stage));
        Assert.Equal(error, lifecycle.Job(jobId).Error);
        Assert.Equal(announced, lifecycle.Announcements(jobId).Count);
        Assert.Empty(lifecycle.Published<StopRun>());
        lifecycle.AssertNoFaults();
    }
}
