using Orchestrator.Contracts;
using Orchestrator.Platform.Configuration;
using Orchestrator.Scheduler.StateMachines;

namespace Orchestrator.UnitTests.Scheduler;

/// <summary>The saga's state changes on their own, without a bus.</summary>
public sealed class JobLifecycleTransitionsTests
{
    static OrchestratorOptions Settings(Action<ServiceOptions>? generic = null)
    {
        var options = new OrchestratorOptions
        {
            Services =
            {
                ["generic"] = new ServiceOptions { Destination = "local", Timeout = TimeSpan.FromHours(1) },
                ["orphan"] = new ServiceOptions { Destination = "nowhere" },
            },
            Destinations = { ["local"] = new DestinationOptions() },
        };
        generic?.Invoke(options.Services["generic"]);
        return options;
    }

    static JobSubmitted Submission(string service = "generic", int? timeoutSeconds = null, IReadOnlyDictionary<string, string>? environment = null) =>
        new(Guid.NewGuid(), 5, 3, service, "/jobs/5", DateTimeOffset.UtcNow, timeoutSeconds, environment);

    static JobFinished Finished(string outcome, int? exitCode = null, string? error = null) =>
        new(Guid.NewGuid(), 1, outcome, exitCode, error, DateTimeOffset.UtcNow);

    [Fact]
    public void Accept_takes_the_submission_and_resolves_the_time_limit()
    {
        var saga = new JobLifecycleSaga();
        var submitted = Submission(environment: new Dictionary<string, string> { ["THREADS"] = "4" });

        saga.Accept(submitted, Settings());

        Assert.Equal(5, saga.JobNumber);
        Assert.Equal(3, saga.UserId);
        Assert.Equal("generic", saga.Service);
        Assert.Equal("/jobs/5", saga.Directory);
        Assert.Equal(submitted.SubmittedAt, saga.SubmittedAt);
        Assert.Equal(3600, saga.TimeoutSeconds);
        Assert.Equal("""{"THREADS":"4"}""", saga.Environment);
    }

    [Fact]
    public void Accept_keeps_no_environment_when_none_or_an_empty_one_is_given()
    {
        var saga = new JobLifecycleSaga();

        saga.Accept(Submission(environment: new Dictionary<string, string>()), Settings());

        Assert.Null(saga.Environment);
    }

    [Fact]
    public void Route_picks_the_destination_of_a_configured_service()
    {
        var saga = new JobLifecycleSaga { Service = "generic" };

        Assert.True(saga.RouteTo(Settings()));
        Assert.Equal("local", saga.Destination);
        Assert.Null(saga.Error);
    }

    [Theory]
    [InlineData("unknown")]
    [InlineData("orphan")]
    [InlineData("Generic")]
    public void Route_fails_with_a_reason_when_the_service_has_no_usable_destination(string service)
    {
        var saga = new JobLifecycleSaga { Service = service };

        Assert.False(saga.RouteTo(Settings()));
        Assert.Null(saga.Destination);
        Assert.Equal($"Service '{service}' is not configured with a destination.", saga.Error);
    }

    [Fact]
    public void Dispatch_takes_the_destination_and_time_the_dispatcher_reports()
    {
        var saga = new JobLifecycleSaga { Service = "generic", Destination = "local" };
        var at = DateTimeOffset.UtcNow;

        saga.Dispatch(new JobDispatched(Guid.NewGuid(), 1, "local-2", at));

        Assert.Equal("local-2", saga.Destination);
        Assert.Equal(at, saga.DispatchedAt);
    }

    [Theory]
    [InlineData(RunOutcomes.Exited, 0, 1, RunVerdict.Completed)]
    [InlineData(RunOutcomes.Exited, 1, 1, RunVerdict.Failed)]
    [InlineData(RunOutcomes.Exited, 75, 1, RunVerdict.Retry)]
    [InlineData(RunOutcomes.Exited, 75, 3, RunVerdict.Failed)]
    [InlineData(RunOutcomes.Exited, null, 1, RunVerdict.Failed)]
    [InlineData(RunOutcomes.NotStarted, null, 1, RunVerdict.Retry)]
    [InlineData(RunOutcomes.NotStarted, null, 2, RunVerdict.Retry)]
    [InlineData(RunOutcomes.NotStarted, null, 3, RunVerdict.Failed)]
    [InlineData(RunOutcomes.Lost, null, 1, RunVerdict.Failed)]
    [InlineData(RunOutcomes.TimedOut, null, 1, RunVerdict.TimedOut)]
    [InlineData(RunOutcomes.Cancelled, null, 1, RunVerdict.Cancelled)]
    [InlineData("Unheard-of", null, 1, RunVerdict.Failed)]
    public void Verdict_follows_the_outcome_and_the_services_retry_policy(string outcome, int? exitCode, int attempt, RunVerdict expected)
    {
        var saga = new JobLifecycleSaga { Service = "generic", Attempt = attempt };

        Assert.Equal(expected, saga.Verdict(Finished(outcome, exitCode), Settings(s => s.Retry.RetryExitCodes = [75])));
    }

    [Theory]
    [InlineData(false, RunVerdict.Failed)]
    [InlineData(true, RunVerdict.Retry)]
    public void Lost_runs_are_retried_only_when_the_service_says_so(bool retryLostRuns, RunVerdict expected)
    {
        var saga = new JobLifecycleSaga { Service = "generic", Attempt = 1 };

        Assert.Equal(expected, saga.Verdict(Finished(RunOutcomes.Lost), Settings(s => s.Retry.RetryLostRuns = retryLostRuns)));
    }

    [Fact]
    public void Jobs_of_a_service_no_longer_configured_get_the_default_retry_policy()
    {
        var saga = new JobLifecycleSaga { Service = "removed", Attempt = 1 };

        Assert.Equal(RunVerdict.Retry, saga.Verdict(Finished(RunOutcomes.NotStarted), Settings()));
        Assert.Equal(TimeSpan.FromSeconds(10), saga.RetryDelay(Settings()));
        Assert.Equal(TimeSpan.FromHours(1), saga.QueueWaitWarning(Settings()));
    }

    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 10)]
    [InlineData(3, 20)]
    [InlineData(10, 30)]
    public void Retry_delay_doubles_per_attempt_up_to_the_maximum(int failedAttempt, int expectedSeconds)
    {
        var saga = new JobLifecycleSaga { Service = "generic", Attempt = failedAttempt };
        var settings = Settings(s =>
        {
            s.Retry.InitialDelay = TimeSpan.FromSeconds(5);
            s.Retry.MaxDelay = TimeSpan.FromSeconds(30);
        });

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), saga.RetryDelay(settings));
    }

    [Theory]
    [InlineData(RunOutcomes.Exited, 0, null, null)]
    [InlineData(RunOutcomes.Exited, 4, null, "run.sh exited with code 4")]
    [InlineData(RunOutcomes.Exited, 4, "killed by the OOM killer", "killed by the OOM killer")]
    [InlineData(RunOutcomes.NotStarted, null, null, "The job could not be started.")]
    [InlineData(RunOutcomes.TimedOut, null, null, "The job ran longer than its limit of 60 s.")]
    [InlineData(RunOutcomes.Cancelled, null, null, "user asked")]
    public void Finish_records_the_run_and_explains_a_failure(string outcome, int? exitCode, string? reported, string? expected)
    {
        var saga = new JobLifecycleSaga { TimeoutSeconds = 60, CancelReason = "user asked" };
        var finished = Finished(outcome, exitCode, reported);

        saga.Finish(finished);

        Assert.Equal(expected, saga.Error);
        Assert.Equal(exitCode, saga.ExitCode);
        Assert.Equal(outcome, saga.LastOutcome);
        Assert.Equal(finished.FinishedAt, saga.FinishedAt);
    }

    [Fact]
    public void Cancelled_run_without_a_reason_says_it_was_cancelled()
    {
        var saga = new JobLifecycleSaga();

        saga.Finish(Finished(RunOutcomes.Cancelled));

        Assert.Equal("The job was cancelled.", saga.Error);
    }

    [Fact]
    public void Abandon_ends_the_job_with_the_reason()
    {
        var saga = new JobLifecycleSaga();

        saga.Abandon("gone");

        Assert.Equal("gone", saga.Error);
        Assert.NotNull(saga.FinishedAt);
    }

    [Fact]
    public void Announcement_carries_the_sagas_current_facts()
    {
        var jobId = Guid.NewGuid();
        var saga = new JobLifecycleSaga
        {
            CorrelationId = jobId, JobNumber = 8, Sequence = 6, Destination = "local", ExitCode = 2, Error = "boom",
            Attempt = 2, LastOutcome = RunOutcomes.Exited, DispatchedAt = DateTimeOffset.UnixEpoch,
        };

        var announcement = saga.Announcement(JobStates.Failed);

        Assert.Equal(
            new JobStateChanged(jobId, 8, JobStates.Failed, 6, announcement.ChangedAt, "local", 2, "boom", 2, RunOutcomes.Exited, DateTimeOffset.UnixEpoch),
            announcement);
    }

    [Fact]
    public void Stop_request_names_the_attempt_and_where_it_runs()
    {
        var jobId = Guid.NewGuid();
        var saga = new JobLifecycleSaga { CorrelationId = jobId, Attempt = 3, Destination = "local", CancelReason = "why" };

        Assert.Equal(new StopRun(jobId, 3, "local", "why"), saga.StopRequest());
        Assert.Equal(new StopRun(jobId, 3, "", "why"), new JobLifecycleSaga { CorrelationId = jobId, Attempt = 3, CancelReason = "why" }.StopRequest());
    }
}
