using MassTransit;
using Orchestrator.Contracts;
using Orchestrator.Scheduler.StateMachines.Timers;

namespace Orchestrator.UnitTests.Scheduler;

/// <summary>
/// Redelivered, duplicated, stale and reordered events: none of them may move a job backwards, queue it twice, free
/// its slot twice or fault the saga.
/// </summary>
public sealed class JobLifecycleOrderingTests
{
    [Fact]
    public async Task Start_that_overtakes_the_dispatch_notice_runs_the_job_and_the_late_notice_is_ignored()
    {
        await using var lifecycle = await LifecycleHarness.StartAsync();
        var jobId = await lifecycle.JobInStageAsync(JobStage.Queued);
        lifecycle.Queue.TakeForDispatch(jobId);

        await lifecycle.DeliverAsync(LifecycleHarness.StartedEvent(jobId));
        lifecycle.AssertState(jobId, m => m.Running);
        await lifecycle.DeliverAsync(LifecycleHarness.DispatchedEvent(jobId));

        lifecycle.AssertState(jobId, m => m.Running);
        var announced = lifecycle.Announcements(jobId);
        Assert.Equal([JobStates.Queued, JobStates.Running], announced.Select(a => a.State));
        Assert.Equal([1, 2], announced.Select(a => a.Sequence));
        // The start stands in for the dispatch, deadline included, and the late notice adds no second one.
        Assert.Single(lifecycle.Sent<RunDeadlinePassed>(t => t.JobId == jobId));
        lifecycle.AssertNoFaults();
    }

    [Theory]
    [InlineData(JobStage.Queued, 0, JobStates.Completed)]
    [InlineData(JobStage.Queued, 2, JobStates.Failed)]
    [InlineData(JobStage.Dispatched, 0, JobStates.Completed)]
    [InlineData(JobStage.Dispatched, 2, JobStates.Failed)]
    public async Task Finished_before_started_announces_the_run_then_finishes_the_job_and_late_events_are_ignored(JobStage stage, int exitCode, string finalState)
    {
        await using var lifecycle = await LifecycleHarness.StartAsync();
        var jobId = await lifecycle.JobInStageAsync(stage);
        var announcedBefore = lifecycle.Announcements(jobId).Count;

        await lifecycle.DeliverAsync(LifecycleHarness.FinishedEvent(jobId, exitCode: exitCode));
        lifecycle.AssertState(jobId, finalState);
        await lifecycle.DeliverAsync(LifecycleHarness.DispatchedEvent(jobId));
        await lifecycle.DeliverAsync(LifecycleHarness.StartedEvent(jobId));

        lifecycle.AssertState(jobId, finalState);
        var saga = lifecycle.Job(jobId);
        // The start it never heard of is dated at the end and announced before it, so readers see the run ran.
        Assert.Equal(saga.FinishedAt, saga.StartedAt);
        Assert.Equal(exitCode, saga.ExitCode);
        Assert.Equal(1, lifecycle.Queue.Released(jobId));
        var announced = lifecycle.Announcements(jobId);
        Assert.Equal(announcedBefore + 2, announced.Count);
        Assert.Equal([JobStates.Running, finalState], announced.Skip(announced.Count - 2).Select(a => a.State));
        Assert.Equal(Enumerable.Range(1, announced.Count), announced.Select(a => a.Sequence));
        lifecycle.AssertNoFaults();
    }

    [Theory]
    [InlineData(JobStage.Queued)]
    [InlineData(JobStage.Dispatched)]
    [InlineData(JobStage.Running)]
    [InlineData(JobStage.Cancelling)]
    [InlineData(JobStage.RetryPending)]
    [InlineData(JobStage.Completed)]
    [InlineData(JobStage.Failed)]
    [InlineData(JobStage.Cancelled)]
    [InlineData(JobStage.TimedOut)]
    [InlineData(JobStage.Cleaned)]
    [InlineData(JobStage.Unroutable)]
    public async Task Duplicate_submission_is_ignored_and_not_queued_again(JobStage stage)
    {
        await using var lifecycle = await LifecycleHarness.StartAsync();
        var jobId = await lifecycle.JobInStageAsync(stage);
        var attempt = lifecycle.Job(jobId).Attempt;
        var announcedBefore = lifecycle.Announcements(jobId).Count;
        var queuedBefore = lifecycle.Queue.Enqueued(jobId).Count;

        await lifecycle.DeliverAsync(LifecycleHarness.Submission(jobId,
            stage == JobStage.Unroutable ? "unknown-service" : LifecycleHarness.RoutableService));

        lifecycle.AssertState(jobId, LifecycleHarness.StateOf(stage));
        Assert.Equal(attempt, lifecycle.Job(jobId).Attempt);
        Assert.Equal(stage == JobStage.Unroutable ? 0 : 1, queuedBefore);
        Assert.Equal(queuedBefore, lifecycle.Queue.Enqueued(jobId).Count);
        Assert.Equal(announcedBefore, lifecycle.Announcements(jobId).Count);
        lifecycle.AssertNoFaults();
    }

    [Theory]
    [InlineData(JobStage.Dispatched)]
    [InlineData(JobStage.Running)]
    [InlineData(JobStage.Cancelling)]
    [InlineData(JobStage.RetryPending)]
    [InlineData(JobStage.Completed)]
    [InlineData(JobStage.Failed)]
    [InlineData(JobStage.Cancelled)]
    [InlineData(JobStage.TimedOut)]
    [InlineData(JobStage.Cleaned)]
    [InlineData(JobStage.Unroutable)]
    public async Task Dispatch_notice_after_the_job_moved_on_is_ignored(JobStage stage)
    {
        await using var lifecycle = await LifecycleHarness.StartAsync();
        var jobId = await lifecycle.JobInStageAsync(stage);
        var announcedBefore = lifecycle.Announcements(jobId).Count;
        var deadlinesBefore = lifecycle.Sent<RunDeadlinePassed>().Count;

        await lifecycle.DeliverAsync(LifecycleHarness.DispatchedEvent(jobId) with { Destination = "elsewhere" });

        lifecycle.AssertState(jobId, LifecycleHarness.StateOf(stage));
        Assert.NotEqual("elsewhere", lifecycle.Job(jobId).Destination);
        Assert.Equal(announcedBefore, lifecycle.Announcements(jobId).Count);
        Assert.Equal(deadlinesBefore, lifecycle.Sent<RunDeadlinePassed>().Count);
        lifecycle.AssertNoFaults();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public async Task Dispatch_notice_of_another_attempt_is_ignored(int attempt)
    {
        await using var lifecycle = await LifecycleHarness.StartAsync();
        var jobId = await lifecycle.JobInStageAsync(JobStage.Queued);

        await lifecycle.DeliverAsync(LifecycleHarness.DispatchedEvent(jobId, attempt));

        lifecycle.AssertState(jobId, m => m.Queued);
        Assert.Null(lifecycle.Job(jobId).DispatchedAt);
        Assert.Single(lifecycle.Announcements(jobId));
        Assert.Empty(lifecycle.Sent<RunDeadlinePassed>());
        lifecycle.AssertNoFaults();
    }

    [Fact]
    public async Task Duplicate_start_of_a_running_job_is_ignored()
    {
        await using var lifecycle = await LifecycleHarness.StartAsync();
        var jobId = await lifecycle.JobInStageAsync(JobStage.Running);
        var startedAt = lifecycle.Job(jobId).StartedAt;

        await lifecycle.DeliverAsync(LifecycleHarness.StartedEvent(jobId) with { StartedAt = DateTimeOffset.UtcNow.AddMinutes(5) });

        lifecycle.AssertState(jobId, m => m.Running);
        Assert.Equal(startedAt, lifecycle.Job(jobId).StartedAt);
        Assert.Equal(3, lifecycle.Announcements(jobId).Count);
        lifecycle.AssertNoFaults();
    }

    [Fact]
    public async Task Later_finishes_of_a_completed_job_do_not_change_its_outcome()
    {
        await using var lifecycle = await LifecycleHarness.StartAsync();
        var jobId = await lifecycle.JobInStageAsync(JobStage.Completed);

        await lifecycle.DeliverAsync(LifecycleHarness.FinishedEvent(jobId, exitCode: 0));
        await lifecycle.DeliverAsync(LifecycleHarness.FinishedEvent(jobId, exitCode: 1));
        await lifecycle.DeliverAsync(LifecycleHarness.FinishedEvent(jobId, outcome: RunOutcomes.Lost, exitCode: null));

        lifecycle.AssertState(jobId, m => m.Completed);
        var saga = lifecycle.Job(jobId);
        Assert.Equal(0, saga.ExitCode);
        Assert.Null(saga.Error);
        Assert.Equal(1, lifecycle.Queue.Released(jobId));
        Assert.Equal(4, lifecycle.Announcements(jobId).Count);
        Assert.Single(lifecycle.Sent<ExpireJobResults>(m => m.JobId == jobId));
        lifecycle.AssertNoFaults();
    }

    [Theory]
    [InlineData(JobStage.Queued, 0)]
    [InlineData(JobStage.Queued, 2)]
    [InlineData(JobStage.Dispatched, 0)]
    [InlineData(JobStage.Dispatched, 2)]
    public async Task Start_of_another_attempt_is_ignored(JobStage stage, int attempt)
    {
        await using var lifecycle = await LifecycleHarness.StartAsync();
        var jobId = await lifecycle.JobInStageAsync(stage);
        var announcedBefore = lifecycle.Announcements(jobId).Count;

        await lifecycle.DeliverAsync(LifecycleHarness.StartedEvent(jobId, attempt));

        lifecycle.AssertState(jobId, LifecycleHarness.StateOf(stage));
        Assert.Null(lifecycle.Job(jobId).StartedAt);
        Assert.Equal(announcedBefore, lifecycle.Announcements(jobId).Count);
        lifecycle.AssertNoFaults();
    }

    [Theory]
    [InlineData(JobStage.Queued, 0)]
    [InlineData(JobStage.Queued, 2)]
    [InlineData(JobStage.Dispatched, 0)]
    [InlineData(JobStage.Dispatched, 2)]
    [InlineData(JobStage.Running, 0)]
    [InlineData(JobStage.Running, 2)]
    [InlineData(JobStage.Cancelling, 2)]
    public async Task Finish_of_another_attempt_is_ignored(JobStage stage, int attempt)
    {
        await using var lifecycle = await LifecycleHarness.StartAsync();
        var jobId = await lifecycle.JobInStageAsync(stage);
        var announcedBefore = lifecycle.Announcements(jobId).Count;

        await lifecycle.DeliverAsync(LifecycleHarness.FinishedEvent(jobId, attempt, exitCode: 0));
        await lifecycle.DeliverAsync(LifecycleHarness.FinishedEvent(jobId, attempt, exitCode: 9));
        await lifecycle.DeliverAsync(LifecycleHarness.FinishedEvent(jobId, attempt, outcome: RunOutcomes.NotStarted, exitCode: null));

        lifecycle.AssertState(jobId, LifecycleHarness.StateOf(stage));
        var saga = lifecycle.Job(jobId);
        Assert.Null(saga.ExitCode);
        Assert.Null(saga.FinishedAt);
        Assert.Equal(0, lifecycle.Queue.Released(jobId));
        Assert.Equal(announcedBefore, lifecycle.Announcements(jobId).Count);
        Assert.Empty(lifecycle.Sent<ExpireJobResults>());
        Assert.Empty(lifecycle.Sent<RetryDue>());
        lifecycle.AssertNoFaults();

        // The attempt that counts still finishes the job afterwards.
        await lifecycle.DeliverAsync(LifecycleHarness.FinishedEvent(jobId, attempt: 1, exitCode: 0));
        lifecycle.AssertState(jobId, stage == JobStage.Cancelling ? JobStates.Cancelled : JobStates.Completed);
    }

    public static TheoryData<string> UnknownJobEvents() =>
    [
        nameof(JobDispatched), nameof(JobStarted), nameof(JobFinished), nameof(JobResultsCleaned), nameof(CancelJob),
        nameof(RunDeadlinePassed), nameof(RetryDue), nameof(QueueWaitLimitReached),
    ];

    [Theory]
    [MemberData(nameof(UnknownJobEvents))]
    public async Task Events_of_an_unknown_job_are_discarded_without_faults(string kind)
    {
        await using var lifecycle = await LifecycleHarness.StartAsync();
        var jobId = NewId.NextGuid();
        object message = kind switch
        {
            nameof(JobDispatched) => LifecycleHarness.DispatchedEvent(jobId),
            nameof(JobStarted) => LifecycleHarness.StartedEvent(jobId),
            nameof(JobFinished) => LifecycleHarness.FinishedEvent(jobId),
            nameof(JobResultsCleaned) => new JobResultsCleaned(jobId, DateTimeOffset.UtcNow),
            nameof(CancelJob) => new CancelJob(jobId),
            nameof(RunDeadlinePassed) => new RunDeadlinePassed(jobId, 1),
            nameof(RetryDue) => new RetryDue(jobId, 1),
            _ => new QueueWaitLimitReached(jobId, 1),
        };

        await lifecycle.DeliverAsync(message);

        Assert.Null(lifecycle.Find(jobId));
        Assert.Empty(lifecycle.Announcements(jobId));
        Assert.Empty(lifecycle.Published<StopRun>());
        Assert.Equal(0, lifecycle.Queue.Released(jobId));
        lifecycle.AssertNoFaults();
    }

    [Theory]
    [InlineData(JobStage.Queued)]
    [InlineData(JobStage.Dispatched)]
    [InlineData(JobStage.Running)]
    [InlineData(JobStage.Cancelling)]
    [InlineData(JobStage.RetryPending)]
    public async Task Results_cleaned_before_the_job_finished_is_ignored(JobStage stage)
    {
        await using var lifecycle = await LifecycleHarness.StartAsync();
        var jobId = await lifecycle.JobInStageAsync(stage);
        var announcedBefore = lifecycle.Announcements(jobId).Count;

        await lifecycle.DeliverAsync(new JobResultsCleaned(jobId, DateTimeOffset.UtcNow));

        lifecycle.AssertState(jobId, LifecycleHarness.StateOf(stage));
        Assert.Null(lifecycle.Job(jobId).CleanedAt);
        Assert.Equal(announcedBefore, lifecycle.Announcements(jobId).Count);
        lifecycle.AssertNoFaults();
    }

    [Fact]
    public async Task Results_cleaned_before_finishing_does_not_stop_the_later_clean_up()
    {
        await using var lifecycle = await LifecycleHarness.StartAsync();
        var jobId = await lifecycle.JobInStageAsync(JobStage.Running);

        await lifecycle.DeliverAsync(new JobResultsCleaned(jobId, DateTimeOffset.UtcNow));
        await lifecycle.DeliverAsync(LifecycleHarness.FinishedEvent(jobId));
        lifecycle.AssertState(jobId, m => m.Completed);
        await lifecycle.DeliverAsync(new JobResultsCleaned(jobId, DateTimeOffset.UtcNow));

        lifecycle.AssertState(jobId, m => m.Cleaned);
        lifecycle.AssertNoFaults();
    }

    [Fact]
    public async Task Events_after_cleaning_are_ignored()
    {
        await using var lifecycle = await LifecycleHarness.StartAsync();
        var jobId = await lifecycle.JobInStageAsync(JobStage.Cleaned);
        var cleanedAt = lifecycle.Job(jobId).CleanedAt;

        await lifecycle.DeliverAsync(new JobResultsCleaned(jobId, DateTimeOffset.UtcNow.AddHours(1)));
        await lifecycle.DeliverAsync(LifecycleHarness.FinishedEvent(jobId, exitCode: 5));
        await lifecycle.DeliverAsync(LifecycleHarness.StartedEvent(jobId));
        await lifecycle.DeliverAsync(new CancelJob(jobId));
        await lifecycle.DeliverAsync(new RunDeadlinePassed(jobId, 1));

        lifecycle.AssertState(jobId, m => m.Cleaned);
        var saga = lifecycle.Job(jobId);
        Assert.Equal(cleanedAt, saga.CleanedAt);
        Assert.Equal(0, saga.ExitCode);
        Assert.Equal(1, lifecycle.Queue.Released(jobId));
        Assert.Equal(5, lifecycle.Announcements(jobId).Count);
        Assert.Empty(lifecycle.Published<StopRun>());
        Assert.Single(lifecycle.Sent<ExpireJobResults>(m => m.JobId == jobId));
        lifecycle.AssertNoFaults();
    }
}
