using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orchestrator.Contracts;
using Orchestrator.Platform.Configuration;
using Orchestrator.Scheduler.Dispatching;
using Orchestrator.Scheduler.StateMachines;

namespace Orchestrator.UnitTests.Scheduler;

/// <summary>
/// The job lifecycle saga on MassTransit's in-memory test harness, with one routable service (<c>generic</c> on
/// destination <c>local</c>), one whose destination is missing (<c>orphan</c>), a recording job queue and a stand-in
/// Janitor. Every message a test delivers is awaited until the bus is done with it, so what follows may assert on the
/// saga directly.
/// </summary>
public sealed class LifecycleHarness : IAsyncDisposable
{
    public const string RoutableService = "generic";
    public const string ServiceWithMissingDestination = "orphan";

    /// <summary>Long enough that no scheduled message is delivered while a test runs, unless the test asks otherwise.</summary>
    public static readonly TimeSpan DefaultRetention = TimeSpan.FromHours(1);

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromHours(2);

    public static readonly TimeSpan DeadlineGrace = TimeSpan.FromMinutes(3);

    static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(15);

    static readonly CancellationToken Now = new(canceled: true);

    readonly ServiceProvider _provider;

    LifecycleHarness(ServiceProvider provider, OrchestratorOptions settings)
    {
        _provider = provider;
        Settings = settings;
        Harness = provider.GetRequiredService<ITestHarness>();
        Saga = Harness.GetSagaStateMachineHarness<JobLifecycleStateMachine, JobLifecycleSaga>();
        Expiries = provider.GetRequiredService<ExpiryRecorder>();
        Queue = provider.GetRequiredService<RecordingJobQueue>();
    }

    public ITestHarness Harness { get; }

    public ISagaStateMachineTestHarness<JobLifecycleStateMachine, JobLifecycleSaga> Saga { get; }

    public JobLifecycleStateMachine Machine => Saga.StateMachine;

    public OrchestratorOptions Settings { get; }

    public ExpiryRecorder Expiries { get; }

    public RecordingJobQueue Queue { get; }

    public ReceiveTracker Tracker { get; } = new();

    public static async Task<LifecycleHarness> StartAsync(Action<OrchestratorOptions>? configure = null)
    {
        var settings = new OrchestratorOptions
        {
            Services =
            {
                [RoutableService] = new ServiceOptions { Destination = "local", Timeout = DefaultTimeout },
                [ServiceWithMissingDestination] = new ServiceOptions { Destination = "nowhere" },
            },
            Destinations = { ["local"] = new DestinationOptions() },
            Retention = DefaultRetention,
            RunDeadlineGrace = DeadlineGrace,
        };
        configure?.Invoke(settings);

        var provider = new ServiceCollection()
            .AddSingleton(Options.Create(settings))
            .AddSingleton<ExpiryRecorder>()
            .AddSingleton<RecordingJobQueue>()
            .AddSingleton<IJobQueue>(sp => sp.GetRequiredService<RecordingJobQueue>())
            .AddMassTransitTestHarness(x =>
            {
                x.SetTestTimeouts(testTimeout: TimeSpan.FromSeconds(30), testInactivityTimeout: TimeSpan.FromSeconds(1));
                // The production queue name, because the saga schedules its own timers to it.
                x.AddSagaStateMachine<JobLifecycleStateMachine, JobLifecycleSaga>().Endpoint(e => e.Name = QueueNames.JobLifecycle);
                x.AddConsumer<ExpiryRecorderConsumer>().Endpoint(e => e.Name = QueueNames.Janitor);
                x.AddDelayedMessageScheduler();
                x.UsingInMemory((context, cfg) =>
                {
                    cfg.UseDelayedMessageScheduler();
                    cfg.ConfigureEndpoints(context);
                });
            })
            .BuildServiceProvider(true);

        var lifecycle = new LifecycleHarness(provider, settings);
        lifecycle.Harness.Bus.ConnectReceiveObserver(lifecycle.Tracker);
        await lifecycle.Harness.Start();
        return lifecycle;
    }

    public static JobSubmitted Submission(Guid jobId, string service = RoutableService, long jobNumber = 42, int? timeoutSeconds = null) =>
        new(jobId, jobNumber, UserId: 7, service, $"/var/lib/orchestrator/jobs/{jobNumber}", DateTimeOffset.UtcNow, timeoutSeconds);

    public static JobDispatched DispatchedEvent(Guid jobId, int attempt = 1) =>
        new(jobId, attempt, "local", DateTimeOffset.UtcNow);

    public static JobStarted StartedEvent(Guid jobId, int attempt = 1) =>
        new(jobId, attempt, "local", "executor-1", DateTimeOffset.UtcNow);

    public static JobFinished FinishedEvent(Guid jobId, int attempt = 1, string outcome = RunOutcomes.Exited, int? exitCode = 0, string? error = null) =>
        new(jobId, attempt, outcome, exitCode, error, DateTimeOffset.UtcNow);

    /// <summary>Publishes <paramref name="message"/> and waits until the bus has finished with it.</summary>
    public async Task DeliverAsync(object message)
    {
        var messageId = NewId.NextGuid();
        var processed = Tracker.WhenProcessed(messageId);
        await Harness.Bus.Publish(message, context => context.MessageId = messageId);
        try
        {
            await processed.WaitAsync(DeliveryTimeout);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"The bus did not finish with {message} within {DeliveryTimeout}. Faults: [{string.Join("; ", Tracker.Faults)}]");
        }
    }

    /// <summary>The dispatcher's part: take the job from the queue and report the dispatch.</summary>
    public async Task DispatchAsync(Guid jobId, int attempt = 1)
    {
        Queue.TakeForDispatch(jobId);
        await DeliverAsync(DispatchedEvent(jobId, attempt));
    }

    /// <summary>A new job brought to <paramref name="stage"/>; asserts it got there.</summary>
    public async Task<Guid> JobInStageAsync(JobStage stage)
    {
        var jobId = NewId.NextGuid();
        await DeliverAsync(Submission(jobId, stage == JobStage.Unroutable ? "unknown-service" : RoutableService));
        if (stage is JobStage.Cancelled)
            await DeliverAsync(new CancelJob(jobId, "changed my mind"));
        if (stage is JobStage.Dispatched or JobStage.Running or JobStage.Cancelling or JobStage.RetryPending
            or JobStage.Completed or JobStage.Failed or JobStage.TimedOut or JobStage.Cleaned)
            await DispatchAsync(jobId);
        if (stage is JobStage.RetryPending)
            await DeliverAsync(FinishedEvent(jobId, outcome: RunOutcomes.NotStarted, exitCode: null, error: "destination unreachable"));
        if (stage is JobStage.Running or JobStage.Cancelling or JobStage.Completed or JobStage.Failed or JobStage.TimedOut or JobStage.Cleaned)
            await DeliverAsync(StartedEvent(jobId));
        if (stage is JobStage.Cancelling)
            await DeliverAsync(new CancelJob(jobId, "changed my mind"));
        if (stage is JobStage.Completed or JobStage.Cleaned)
            await DeliverAsync(FinishedEvent(jobId, exitCode: 0));
        if (stage is JobStage.Failed)
            await DeliverAsync(FinishedEvent(jobId, exitCode: 1));
        if (stage is JobStage.TimedOut)
            await DeliverAsync(FinishedEvent(jobId, outcome: RunOutcomes.TimedOut, exitCode: null));
        if (stage is JobStage.Cleaned)
            await DeliverAsync(new JobResultsCleaned(jobId, DateTimeOffset.UtcNow));

        AssertState(jobId, StateOf(stage));
        return jobId;
    }

    public static string StateOf(JobStage stage) => stage == JobStage.Unroutable ? JobStates.Failed : stage.ToString();

    /// <summary>The job's saga as it is now; fails when there is none.</summary>
    public JobLifecycleSaga Job(Guid jobId) =>
        Find(jobId) ?? throw new Xunit.Sdk.XunitException($"No saga for job {jobId}.");

    public JobLifecycleSaga? Find(Guid jobId) =>
        Saga.Sagas.Select(s => s.CorrelationId == jobId, Now).Select(s => s.Saga).FirstOrDefault();

    public void AssertState(Guid jobId, string state)
    {
        var saga = Job(jobId);
        Assert.True(saga.CurrentState == state,
            $"Job {jobId} is {saga.CurrentState}, expected {state}. Error: {saga.Error}. Faults: [{string.Join("; ", Tracker.Faults)}]");
    }

    public void AssertState(Guid jobId, Func<JobLifecycleStateMachine, State> state) => AssertState(jobId, state(Machine).Name);

    /// <summary>Messages of type <typeparamref name="T"/> published so far, in order.</summary>
    public IReadOnlyList<T> Published<T>(Func<T, bool>? filter = null)
        where T : class =>
        Harness.Published.Select(m => m.MessageObject is T, Now)
            .Select(m => (T)m.MessageObject)
            .Where(m => filter?.Invoke(m) ?? true)
            .ToList();

    /// <summary>Messages of type <typeparamref name="T"/> sent (or scheduled) so far, with their send contexts.</summary>
    public IReadOnlyList<(T Message, SendContext Context)> Sent<T>(Func<T, bool>? filter = null)
        where T : class =>
        Harness.Sent.Select(m => m.MessageObject is T, Now)
            .Select(m => ((T)m.MessageObject, m.Context))
            .Where(m => filter?.Invoke(m.Item1) ?? true)
            .ToList();

    /// <summary>The job's announcements so far, in the order they were published.</summary>
    public IReadOnlyList<JobStateChanged> Announcements(Guid jobId) => Published<JobStateChanged>(m => m.JobId == jobId);

    public IReadOnlyList<string> AnnouncedStates(Guid jobId) => Announcements(jobId).Select(a => a.State).ToList();

    /// <summary>Fails when anything on the bus faulted: an event must never be met with an exception.</summary>
    public void AssertNoFaults()
    {
        Assert.Empty(Tracker.Faults);
        Assert.Empty(Published<Fault>());
    }

    /// <summary>The queue a destination address names, whether written short (<c>queue:x</c>) or in full by the transport.</summary>
    public static string QueueName(Uri? address) => address?.AbsolutePath.Trim('/') ?? "";

    public async ValueTask DisposeAsync()
    {
        await Harness.Stop();
        await _provider.DisposeAsync();
    }
}
