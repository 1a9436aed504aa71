using MassTransit;
using Orchestrator.Contracts;
using Orchestrator.Scheduler.StateMachines.Timers;

namespace Orchestrator.UnitTests.Scheduler;

/// <summary>The transitions of a job that meets no surprises: each event in order, exactly once.</summary>
public sealed class JobLifecycleStateMachineTests
{
    [Fact]
    public async Task Submitted_job_is_queued_for_its_destination_as_attempt_one()
    {
        await using var lifecycle = await LifecycleHarness.StartAsync();
        var jobId = NewId.NextGuid();
        var submitted = LifecycleHarness.Submission(jobId, jobNumber: 17);

        await lifecycle.DeliverAsync(submitted);

        lifecycle.AssertState(jobId, m => m.Queued);
        var saga = lifecycle.Job(jobId);
        Assert.Equal(1, saga.Attempt);
        Assert.Equal("local", saga.Destination);
        Assert.Equal(17, saga.JobNumber);
        Assert.Equal(submitted.UserId, saga.UserId);
        Assert.Equal(submitted.Directory, saga.Directory);
        Assert.Equal(submitted.SubmittedAt, saga.SubmittedAt);
        Assert.Equal((int)LifecycleHarness.DefaultTimeout.TotalSeconds, saga.TimeoutSeconds);
        Assert.NotNull(saga.QueuedAt);
        Assert.Null(saga.DispatchedAt);

        Assert.Equal(
            new QueuedJobSnapshot(jobId, 17, LifecycleHarness.RoutableService, submitted.UserId, "local", submitted.Directory, Attempt: 1),
            Assert.Single(lifecycle.Queue.Enqueued(jobId)));
        // Only the dispatcher sends RunJob, once the quotas allow; the saga must not go around them.
        Assert.Empty(lifecycle.Sent<RunJob>());

        var announced = Assert.Single(lifecycle.Announcements(jobId));
        Assert.Equal(JobStates.Queued, announced.State);
        Assert.Equal(1, announced.Sequence);
        Assert.Equal(1, announced.Attempt);
        Assert.Equal(17, announced.JobNumber);
        lifecycle.AssertNoFaults();
    }

    [Fact]
    public async Task Requested_time_limit_is_kept_within_the_services_maximum()
    {
        await using var lifecycle = await LifecycleHarness.StartAsync(o => o.Services["generic"].MaxTimeout = TimeSpan.FromMinutes(10));
        var shortJob = NewId.NextGuid();
        var longJob = NewId.NextGuid();

        await lifecycle.DeliverAsync(LifecycleHarness.Submission(shortJob, timeoutSeconds: 90));
        await lifecycle.DeliverAsync(LifecycleHarness.Submission(longJob, timeoutSeconds: 86400));

        Assert.Equal(90, lifecycle.Job(shortJob).TimeoutSeconds);
        Assert.Equal(600, lifecycle.Job(longJob).TimeoutSeconds);
    }

    [Fact]
    public async Task Dispatch_notice_moves_a_queued_job_to_dispatched()
    {
        await using var lifecycle = await LifecycleHarness.StartAsync();
        var jobId = await lifecycle.JobInStageAsync(JobStage.Queued);
        var dispatched = LifecycleHarness.DispatchedEvent(jobId);

        await lifecycle.DeliverAsync(dispatched);

        lifecycle.AssertState(jobId, m => m.Dispatched);
        var saga = lifecycle.Job(jobId);
        Assert.Equal(dispatched.DispatchedAt, saga.DispatchedAt);
        Assert.Equal("local", saga.Destination);
        var announced = lifecycle.Announcements(jobId);
        Assert.Equal([JobStates.Queued, JobStates.Dispatched], announced.Select(a => a.State));
        Assert.Equal([1, 2], announced.Select(a => a.Sequence));
        Assert.Equal("local", announced[1].Destination);
        Assert.Equal(0, lifecycle.Queue.Released(jobId));
        lifecycle.AssertNoFaults();
    }

    [Theory]
    [InlineData("unknown-service")]
    [InlineData(LifecycleHarness.ServiceWithMissingDestination)]
    public async Task Submitted_job_without_a_destination_fails_without_being_queued(string service)
    {
        await using var lifecycle = await LifecycleHarness.StartAsync();
        var jobId = NewId.NextGuid();
        var expectedError = $"Service '{service}' is not configured with a destination.";

        await lifecycle.DeliverAsync(LifecycleHarness.Submission(jobId, service));

        lifecycle.AssertState(jobId, m => m.Failed);
        var saga = lifecycle.Job(jobId);
        Assert.Equal(expectedError, saga.Error);
        Assert.Equal(0, saga.Attempt);
        Assert.Null(saga.Destination);
        Assert.NotNull(saga.FinishedAt);
        Assert.Empty(lifecycle.Queue.Enqueued(jobId));
        Assert.Empty(lifecycle.Sent<RunJob>());
        Assert.Empty(lifecycle.Sent<QueueWaitLimitReached>());

        var announced = lifecycle.Announcements(jobId);
        Assert.Equal([JobStates.Queued, JobStates.Failed], announced.Select(a => a.State));
        Assert.Equal([1, 2], announced.Select(a => a.Sequence));
        Assert.Equal(expectedError, announced[1].Error);
        lifecycle.AssertNoFaults();
    }

    [Fact]
    public async Task Started_moves_a_dispatched_job_to_running()
    {
        await using var lifecycle = await LifecycleHarness.StartAsync();
        var jobId = await lifecycle.JobInStageAsync(JobStage.Dispatched);
        var started = LifecycleHarness.StartedEvent(jobId);

        await lifecycle.DeliverAsync(started);

        lifecycle.AssertState(jobId, m => m.Running);
        Assert.Equal(started.StartedAt, lifecycle.Job(jobId).StartedAt);
        var running = lifecycle.Announcements(jobId)[^1];
        Assert.Equal(JobStates.Running, running.State);
        Assert.Equal(3, running.Sequence);
        lifecycle.AssertNoFaults();
    }

    [Fact]
    public async Task Exit_code_zero_completes_the_job_and_frees_its_slot()
    {
        await using var lifecycle = await LifecycleHarness.StartAsync();
        var jobId = await lifecycle.JobInStageAsync(JobStage.Running);
        var finished = LifecycleHarness.FinishedEvent(jobId, exitCode: 0);

        await lifecycle.DeliverAsync(finished);

        lifecycle.AssertState(jobId, m => m.Completed);
        var saga = lifecycle.Job(jobId);
        Assert.Equal(0, saga.ExitCode);
        Assert.Null(saga.Error);
        Assert.Equal(finished.FinishedAt, saga.FinishedAt);
        Assert.Equal(1, lifecycle.Queue.Released(jobId));
        var completed = lifecycle.Announcements(jobId)[^1];
        Assert.Equal(JobStates.Completed, completed.State);
        Assert.Equal(4, completed.Sequence);
        Assert.Equal(0, completed.ExitCode);
        Assert.Equal(RunOutcomes.Exited, completed.Outcome);
        Assert.Null(completed.Error);
        lifecycle.AssertNoFaults();
    }

    [Fact]
    public async Task Non_zero_exit_code_fails_the_job_with_that_code()
    {
        await using var lifecycle = await LifecycleHarness.StartAsync();
        var jobId = await lifecycle.JobInStageAsync(JobStage.Running);

        await lifecycle.DeliverAsync(LifecycleHarness.FinishedEvent(jobId, exitCode: 3));

        lifecycle.AssertState(jobId, m => m.Failed);
        var saga = lifecycle.Job(jobId);
        Assert.Equal(3, saga.ExitCode);
        Assert.Equal("run.sh exited with code 3", saga.Error);
        Assert.Equal(1, lifecycle.Queue.Released(jobId));
        var failed = lifecycle.Announcements(jobId)[^1];
        Assert.Equal(JobStates.Failed, failed.State);
        Assert.Equal(4, failed.Sequence);
        Assert.Equal(3, failed.ExitCode);
        Assert.Equal("run.sh exited with code 3", failed.Error);
        lifecycle.AssertNoFaults();
    }

    [Theory]
    [InlineData(null, "The executor running the job died; the job was not run again because its script may have had side effects.")]
    [InlineData("executor-1 stopped answering", "executor-1 stopped answering")]
    public async Task Lost_run_fails_the_job_with_a_reason(string? reportedError, string expectedError)
    {
        await using var lifecycle = await LifecycleHarness.StartAsync();
        var jobId = await lifecycle.JobInStageAsync(JobStage.Running);

        await lifecycle.DeliverAsync(LifecycleHarness.FinishedEvent(jobId, outcome: RunOutcomes.Lost, exitCode: null, error: reportedError));

        lifecycle.AssertState(jobId, m => m.Failed);
        var saga = lifecycle.Job(jobId);
        Assert.Null(saga.ExitCode);
        Assert.Equal(expectedError, saga.Error);
        Assert.Equal(1, lifecycle.Queue.Released(jobId));
        var failed = lifecycle.Announcements(jobId)[^1];
        Assert.Equal(JobStates.Failed, failed.State);
        Assert.Equal(expectedError, failed.Error);
        Assert.Equal(RunOutcomes.Lost, failed.Outcome);
        lifecycle.AssertNoFaults();
    }

    [Theory]
    [InlineData(null, "The job could not be started.")]
    [InlineData("run.sh is missing", "run.sh is missing")]
    public async Task Run_that_could_not_start_on_the_last_attempt_fails_the_job_with_a_reason(string? reportedError, string expectedError)
    {
        await using var lifecycle = await LifecycleHarness.StartAsync(o => o.Services["generic"].Retry.MaxAttempts = 1);
        var jobId = await lifecycle.JobInStageAsync(JobStage.Dispatched);

        await lifecycle.DeliverAsync(LifecycleHarness.FinishedEvent(jobId, outcome: RunOutcomes.NotStarted, exitCode: null, error: reportedError));

        lifecycle.AssertState(jobId, m => m.Failed);
        Assert.Equal(expectedError, lifecycle.Job(jobId).Error);
        Assert.Equal(1, lifecycle.Queue.Released(jobId));
        Assert.Equal([JobStates.Queued, JobStates.Dispatched, JobStates.Failed], lifecycle.AnnouncedStates(jobId));
        lifecycle.AssertNoFaults();
    }

    [Theory]
    [InlineData(null, "The job ran longer than its limit of 7200 s.")]
    [InlineData("killed after 7200 s", "killed after 7200 s")]
    public async Task Run_killed_for_its_time_limit_times_the_job_out(string? reportedError, string expectedError)
    {
        await using var lifecycle = await LifecycleHarness.StartAsync();
        var jobId = await lifecycle.JobInStageAsync(JobStage.Running);

        await lifecycle.DeliverAsync(LifecycleHarness.FinishedEvent(jobId, outcome: RunOutcomes.TimedOut, exitCode: null, error: reportedError));

        lifecycle.AssertState(jobId, m => m.TimedOut);
        Assert.Equal(expectedError, lifecycle.Job(jobId).Error);
        Assert.Equal(1, lifecycle.Queue.Released(jobId));
        var timedOut = lifecycle.Announcements(jobId)[^1];
        Assert.Equal(JobStates.TimedOut, timedOut.State);
        Assert.Equal(RunOutcomes.TimedOut, timedOut.Outcome);
        lifecycle.AssertNoFaults();
    }

    [Theory]
    [InlineData(JobStage.Completed)]
    [InlineData(JobStage.Failed)]
    [InlineData(JobStage.TimedOut)]
    [InlineData(JobStage.Cancelled)]
    [InlineData(JobStage.Unroutable)]
    public async Task Results_cleaned_moves_a_finished_job_to_cleaned(JobStage stage)
    {
        await using var lifecycle = await LifecycleHarness.StartAsync();
        var jobId = await lifecycle.JobInStageAsync(stage);
        var before = lifecycle.Announcements(jobId).Count;
        var cleanedAt = DateTimeOffset.UtcNow;

        await lifecycle.DeliverAsync(new JobResultsCleaned(jobId, cleanedAt));

        lifecycle.AssertState(jobId, m => m.Cleaned);
        Assert.Equal(cleanedAt, lifecycle.Job(jobId).CleanedAt);
        var announced = lifecycle.Announcements(jobId);
        Assert.Equal(before + 1, announced.Count);
        Assert.Equal(JobStates.Cleaned, announced[^1].State);
        Assert.Equal(Enumerable.Range(1, announced.Count), announced.Select(a => a.Sequence));
        lifecycle.AssertNoFaults();
    }

    [Fact]
    public async Task Whole_life_is_announced_in_sequence()
    {
        await using var lifecycle = await LifecycleHarness.StartAsync();

        var jobId = await lifecycle.JobInStageAsync(JobStage.Cleaned);

        var announced = lifecycle.Announcements(jobId);
        Assert.Equal(
            [JobStates.Queued, JobStates.Dispatched, JobStates.Running, JobStates.Completed, JobStates.Cleaned],
            announced.Select(a => a.State));
        Assert.Equal([1, 2, 3, 4, 5], announced.Select(a => a.Sequence));
        Assert.All(announced, a => Assert.Equal(jobId, a.JobId));
        Assert.Equal(1, lifecycle.Queue.Released(jobId));
        lifecycle.AssertNoFaults();
    }
}
