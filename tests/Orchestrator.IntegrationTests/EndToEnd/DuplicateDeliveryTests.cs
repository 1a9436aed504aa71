using MassTransit;
using Orchestrator.Contracts;
using Orchestrator.IntegrationTests.Infrastructure;

namespace Orchestrator.IntegrationTests.EndToEnd;

/// <summary>
/// Every message of a finished job's life delivered again, each twice and under new message ids (so the inbox cannot
/// drop them and the consumers' own idempotency is what is tested), changes nothing: the job is not run again, its
/// state and history stay as they were and no quota slot is taken.
/// </summary>
public sealed class DuplicateDeliveryTests : IAsyncLifetime
{
    readonly JobLedger _ledger = new();
    OrchestratorSystem _system = null!;
    TestBus _bus = null!;

    public async Task InitializeAsync()
    {
        _system = await OrchestratorSystem.StartAsync();
        _bus = await TestBus.StartAsync(_system.VirtualHost);
    }

    public async Task DisposeAsync()
    {
        await _bus.DisposeAsync();
        await _system.DisposeAsync();
        _ledger.Dispose();
    }

    [Fact]
    public async Task Delivering_every_message_of_a_finished_job_again_changes_nothing()
    {
        var (number, directory) = await _system.SubmitAsync(_ledger.Start("once") + "echo done > output.txt\n" + _ledger.End("once"));
        var finished = await _system.WaitForFinalStateAsync(number);
        Assert.Equal("Completed", finished.State());
        var jobId = await _system.JobIdAsync(number);
        var sequence = await _system.Database.ScalarAsync<int>($"SELECT sequence FROM scheduler.job_sagas WHERE correlation_id = '{jobId}'");
        var transitions = finished.GetProperty("transitions").GetArrayLength();
        var now = DateTimeOffset.UtcNow;

        var sent = new List<Guid>();
        async Task Publish<T>(T message) where T : class
        {
            for (var i = 0; i < 2; i++)
            {
                var id = NewId.NextGuid();
                sent.Add(id);
                await _bus.Bus.Publish(message, context =>
                {
                    context.MessageId = id;
                    context.CorrelationId = jobId;
                });
            }
        }

        await Publish(new JobSubmitted(jobId, number, 1, "generic", directory, now));
        await Publish(new JobDispatched(jobId, 1, "local", now));
        await Publish(new JobStarted(jobId, 1, "local", "somewhere", now));
        await Publish(new JobFinished(jobId, 1, RunOutcomes.Exited, 3, "a late and wrong report", now));
        await Publish(new CancelJob(jobId, "too late"));
        await Publish(new JobStateChanged(jobId, number, JobStates.Running, 1, now, "local", null, null, 1));
        var executor = await _bus.Bus.GetSendEndpoint(QueueNames.Address(QueueNames.Executor("local")));
        var runIds = new[] { NewId.NextGuid(), NewId.NextGuid() };
        foreach (var id in runIds)
            await executor.Send(new RunJob(jobId, number, 1, "generic", "local", directory, 1), context => context.MessageId = id);

        // Each consumer records what it handled in its inbox, in the transaction of its effect: once every duplicate
        // is there, all of them have been applied. The executor needs no inbox for RunJob (the runs key drops a
        // second acceptance of an attempt), so it is done with a duplicate when it says it dropped it.
        var ids = string.Join(", ", sent.Select(id => $"'{id}'"));
        await Eventually.UntilAsync(
            () => _system.Database.ScalarAsync<long>(
                $"SELECT count(DISTINCT message_id) FROM (SELECT message_id FROM scheduler.inbox_messages UNION ALL SELECT message_id FROM api.inbox_messages) handled WHERE message_id IN ({ids})"),
            n => n == sent.Count,
            "every duplicate to be handled");
        await Eventually.UntilAsync(
            () => Task.FromResult(_system["Executor"].Output.Split('\n').Count(l => l.Contains($"Job {jobId} attempt 1 is already accepted", StringComparison.Ordinal))),
            n => n == runIds.Length,
            "the executor to drop both RunJob duplicates");

        var job = await _system.JobAsync(number);
        Assert.Equal("Completed", job.State());
        Assert.Equal(0, job.ExitCode());
        Assert.Equal(transitions, job.GetProperty("transitions").GetArrayLength());
        Assert.Equal(sequence, await _system.Database.ScalarAsync<int>($"SELECT sequence FROM scheduler.job_sagas WHERE correlation_id = '{jobId}'"));
        Assert.Equal(1L, await _system.Database.ScalarAsync<long>("SELECT count(*) FROM scheduler.job_sagas"));
        Assert.Equal(1L, await _system.RunCountAsync(number));
        Assert.Equal(1, _ledger.Starts("once"));
        Assert.Equal(0L, await _system.Database.ScalarAsync<long>("SELECT count(*) FROM scheduler.active_jobs"));
        Assert.Equal(0L, await _system.Database.ScalarAsync<long>("SELECT count(*) FROM scheduler.queued_jobs"));
    }
}
