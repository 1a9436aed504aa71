using Orchestrator.Contracts;
using Orchestrator.Executor.Runs;
using Orchestrator.IntegrationTests.Infrastructure;

namespace Orchestrator.IntegrationTests.Executor;

/// <summary>
/// The executor's group commit on a real PostgreSQL: reports queued while a write is in flight are committed
/// together, each exactly once with its outbox message, and a run whose row is gone or already past the report
/// neither fails nor holds back the others.
/// </summary>
public sealed class RunWriterTests
{
    [Fact]
    public async Task Reports_queued_behind_a_write_in_flight_commit_together_and_runs_gone_or_finished_hold_back_none()
    {
        await using var harness = await RunWriterHarness.CreateAsync();
        var reporter = harness.Reporter;
        var runs = await harness.AcceptAsync(6);
        var (held, started, finished, gone, ended, both) = (runs[0], runs[1], runs[2], runs[3], runs[4], runs[5]);
        await reporter.FinishedAsync(finished, RunOutcomes.Exited, 0, null);
        await harness.Database.ExecuteAsync($"DELETE FROM executor.runs WHERE job_id = '{gone.JobId}'");

        Task heldReport;
        Task[] queued;
        await using (var row = await harness.LockAsync(held))
        {
            heldReport = reporter.StartedAsync(held, 100, 1);
            await Eventually.UntilAsync(harness.WriterWaitsForLockAsync, "the writer to wait for the held run's row");
            queued =
            [
                reporter.StartedAsync(started, 101, 1),
                reporter.FinishedAsync(finished, RunOutcomes.Exited, 3, "a second end of a finished run"),
                reporter.StartedAsync(gone, 102, 1),
                reporter.FinishedAsync(ended, RunOutcomes.Exited, 0, null),
                reporter.StartedAsync(both, 103, 1),
                reporter.FinishedAsync(both, RunOutcomes.Exited, 0, null),
            ];
            // Nothing can commit while the write ahead of them waits for the row.
            Assert.DoesNotContain(queued, t => t.IsCompleted);
            await row.ReleaseAsync();
        }

        await heldReport;
        await Task.WhenAll(queued);

        Assert.Equal(RunStates.Running, await harness.StateAsync(held));
        Assert.Equal(RunStates.Running, await harness.StateAsync(started));
        Assert.Equal(RunStates.Finished, await harness.StateAsync(finished));
        Assert.Null(await harness.StateAsync(gone));
        Assert.Equal(RunStates.Finished, await harness.StateAsync(ended));
        Assert.Equal(RunStates.Finished, await harness.StateAsync(both));
        Assert.Equal(101, await harness.Database.ScalarAsync<int>($"SELECT process_id FROM executor.runs WHERE job_id = '{started.JobId}'"));
        Assert.Equal(0, await harness.Database.ScalarAsync<int>($"SELECT exit_code FROM executor.runs WHERE job_id = '{finished.JobId}'"));
        Assert.NotNull(started.StartedAt);
        Assert.Null(gone.StartedAt);

        // Each report that changed its run has its one message; the others have none.
        Assert.Equal(1, await harness.MessagesAsync(held, nameof(JobStarted)));
        Assert.Equal(1, await harness.MessagesAsync(started, nameof(JobStarted)));
        Assert.Equal(1, await harness.MessagesAsync(finished, nameof(JobFinished)));
        Assert.Equal(0, await harness.MessagesAsync(gone, nameof(JobStarted)));
        Assert.Equal(1, await harness.MessagesAsync(ended, nameof(JobFinished)));
        Assert.Equal(1, await harness.MessagesAsync(both, nameof(JobStarted)));
        Assert.Equal(1, await harness.MessagesAsync(both, nameof(JobFinished)));

        // The queued reports of different runs went in one transaction, rows and messages alike, after the held one's.
        var batch = await harness.RowTransactionAsync(started);
        Assert.NotEqual(await harness.RowTransactionAsync(held), batch);
        Assert.Equal(batch, await harness.RowTransactionAsync(ended));
        Assert.Equal([batch], await harness.MessageTransactionsAsync(started));
        Assert.Equal([batch], await harness.MessageTransactionsAsync(ended));

        // A run's second report waited for the next transaction, so its messages keep their order.
        var bothTransactions = await harness.MessageTransactionsAsync(both);
        Assert.Equal(2, bothTransactions.Length);
        Assert.Equal(batch, bothTransactions[0]);
        Assert.True(bothTransactions[1] > batch, $"the end of a run was committed in {bothTransactions[1]}, not after its start in {batch}");
    }

    [Fact]
    public async Task A_report_the_database_refuses_fails_alone_and_the_others_of_its_batch_commit()
    {
        await using var harness = await RunWriterHarness.CreateAsync();
        var runs = await harness.AcceptAsync(4);
        var (held, refused, first, second) = (runs[0], runs[1], runs[2], runs[3]);
        // A constraint the writer does not know about stands for any error that is not the database being away.
        await harness.Database.ExecuteAsync(
            $"ALTER TABLE executor.runs ADD CONSTRAINT no_exit_code_99 CHECK (exit_code IS DISTINCT FROM 99 OR job_id <> '{refused.JobId}')");

        Task heldReport;
        Task refusedReport, firstReport, secondReport;
        await using (var row = await harness.LockAsync(held))
        {
            heldReport = harness.Reporter.StartedAsync(held, 1, 1);
            await Eventually.UntilAsync(harness.WriterWaitsForLockAsync, "the writer to wait for the held run's row");
            firstReport = harness.Reporter.FinishedAsync(first, RunOutcomes.Exited, 0, null);
            refusedReport = harness.Reporter.FinishedAsync(refused, RunOutcomes.Exited, 99, null);
            secondReport = harness.Reporter.StartedAsync(second, 2, 2);
            await row.ReleaseAsync();
        }

        await heldReport;
        await firstReport;
        await secondReport;
        var error = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => refusedReport);
        Assert.Equal("no_exit_code_99", error.ConstraintName);

        Assert.Equal(RunStates.Finished, await harness.StateAsync(first));
        Assert.Equal(RunStates.Running, await harness.StateAsync(second));
        Assert.Equal(RunStates.Accepted, await harness.StateAsync(refused));
        Assert.Equal(1, await harness.MessagesAsync(first, nameof(JobFinished)));
        Assert.Equal(1, await harness.MessagesAsync(second, nameof(JobStarted)));
        Assert.Equal(0, await harness.MessagesAsync(refused, nameof(JobFinished)));
        Assert.True(harness.Logs.Contains("writing them one at a time"), string.Join(Environment.NewLine, harness.Logs.Lines));

        // The writer carries on: the refused run can still end with an exit code the database takes.
        await harness.Reporter.FinishedAsync(refused, RunOutcomes.Exited, 1, null);
        Assert.Equal(RunStates.Finished, await harness.StateAsync(refused));
    }

    [Fact]
    public async Task The_same_attempt_accepted_twice_is_recorded_once_even_when_both_are_queued_together()
    {
        await using var harness = await RunWriterHarness.CreateAsync();
        var run = RunWriterHarness.NewRun();
        var redelivered = RunWriterHarness.NewRun(run.JobId);
        var other = RunWriterHarness.NewRun();
        var laterAttempt = RunWriterHarness.NewRun(run.JobId, attempt: 2);

        var accepted = await Task.WhenAll(
            harness.Reporter.AcceptedAsync(run),
            harness.Reporter.AcceptedAsync(redelivered),
            harness.Reporter.AcceptedAsync(other),
            harness.Reporter.AcceptedAsync(laterAttempt));

        Assert.Equal([true, false, true, true], accepted);
        Assert.False(await harness.Reporter.AcceptedAsync(RunWriterHarness.NewRun(run.JobId)));
        Assert.Equal(2, await harness.Database.ScalarAsync<long>($"SELECT count(*) FROM executor.runs WHERE job_id = '{run.JobId}'"));
        Assert.Equal(RunWriterHarness.InstanceId,
            await harness.Database.ScalarAsync<string>($"SELECT instance_id FROM executor.runs WHERE job_id = '{run.JobId}' AND attempt = 1"));
        Assert.Equal(60, await harness.Database.ScalarAsync<int>($"SELECT timeout_seconds FROM executor.runs WHERE job_id = '{run.JobId}' AND attempt = 1"));
    }

    [Fact]
    public async Task Many_runs_reported_at_once_are_each_written_exactly_once()
    {
        const int count = 700;
        await using var harness = await RunWriterHarness.CreateAsync();
        var runs = Enumerable.Range(0, count).Select(_ => RunWriterHarness.NewRun()).ToArray();

        Assert.All(await Task.WhenAll(runs.Select(r => Task.Run(() => harness.Reporter.AcceptedAsync(r)))), Assert.True);
        await Task.WhenAll(runs.Select((r, i) => Task.Run(() => harness.Reporter.StartedAsync(r, 1000 + i, i))));
        await Task.WhenAll(runs.Select((r, i) => Task.Run(() => harness.Reporter.FinishedAsync(r, RunOutcomes.Exited, i % 3, null))));
        // Every report again, as a restarted runner might: nothing changes and no message is added.
        await Task.WhenAll(runs.Select(r => Task.Run(() => harness.Reporter.FinishedAsync(r, RunOutcomes.Lost, null, "late"))));

        Assert.Equal(count, await harness.Database.ScalarAsync<long>(
            "SELECT count(*) FROM executor.runs WHERE state = 'Finished' AND started_at IS NOT NULL AND process_id >= 1000 AND exit_code IS NOT NULL"));
        Assert.Equal(count, await harness.Database.ScalarAsync<long>(
            "SELECT count(DISTINCT correlation_id) FROM executor.outbox_messages WHERE message_type LIKE 'Orchestrator.Contracts.JobStarted,%'"));
        Assert.Equal(2 * count, await harness.Database.ScalarAsync<long>("SELECT count(*) FROM executor.outbox_messages"));
        Assert.Equal(0, await harness.Database.ScalarAsync<long>("SELECT count(*) FROM executor.outbox_messages WHERE body->>'outcome' = 'Lost'"));
    }

    [Fact]
    public async Task Reports_made_while_PostgreSQL_is_down_are_written_once_when_it_is_back()
    {
        await using var postgres = await PrivatePostgresServer.CreateAsync();
        await using var harness = await RunWriterHarness.CreateAsync(postgres);
        var runs = await harness.AcceptAsync(3);
        // A crash, not a clean stop: the writer's open connection dies under it.
        await postgres.StopAsync("immediate");

        Task[] reports =
        [
            harness.Reporter.StartedAsync(runs[0], 200, 1),
            harness.Reporter.FinishedAsync(runs[1], RunOutcomes.Exited, 0, null),
            harness.Reporter.AbandonedAsync(runs[2], "the destination went away"),
        ];
        await Eventually.UntilAsync(() => harness.Logs.Contains("not committed (database unavailable"), "the writer to find PostgreSQL gone");
        Assert.DoesNotContain(reports, t => t.IsCompleted);

        await postgres.StartAsync();
        await Task.WhenAll(reports).WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(RunStates.Running, await harness.StateAsync(runs[0]));
        Assert.Equal(RunStates.Finished, await harness.StateAsync(runs[1]));
        Assert.Equal(RunStates.Abandoned, await harness.StateAsync(runs[2]));
        Assert.Equal(1, await harness.MessagesAsync(runs[0], nameof(JobStarted)));
        Assert.Equal(1, await harness.MessagesAsync(runs[1], nameof(JobFinished)));
        Assert.Equal(1, await harness.MessagesAsync(runs[2], nameof(JobFinished)));

        // And the writer goes on after it: the abandoned run settles, with no message.
        await harness.Reporter.SettledAsync(runs[2]);
        Assert.Equal(RunStates.Finished, await harness.StateAsync(runs[2]));
        Assert.Equal(1, await harness.MessagesAsync(runs[2], nameof(JobFinished)));
    }
}
