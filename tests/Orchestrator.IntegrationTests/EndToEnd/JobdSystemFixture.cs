using Orchestrator.IntegrationTests.Infrastructure;

namespace Orchestrator.IntegrationTests.EndToEnd;

/// <summary>
/// One system with two jobd destinations, each served by an executor instance of its own: <c>jobd</c> on two real
/// agents (service <c>remote</c>, lost runs retried) and <c>jobd-fake</c> on two scripted agents (service
/// <c>fake</c>, no retries); plus a <c>paused</c> local destination (capacity 0) whose jobs stay queued.
/// </summary>
public sealed class JobdSystemFixture : IAsyncLifetime
{
    public static readonly TimeSpan LostAgentGrace = TimeSpan.FromSeconds(3);

    public OrchestratorSystem System { get; private set; } = null!;

    public TestAgent AgentA { get; private set; } = null!;

    public TestAgent AgentB { get; private set; } = null!;

    public JobdFakeAgent FakeA { get; private set; } = null!;

    public JobdFakeAgent FakeB { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        AgentA = await TestAgent.StartAsync();
        AgentB = await TestAgent.StartAsync();
        FakeA = await JobdFakeAgent.StartAsync();
        FakeB = await JobdFakeAgent.StartAsync();
        System = await OrchestratorSystem.StartAsync(new Dictionary<string, string>
        {
            ["Orchestrator__Services__remote__Destination"] = "jobd",
            ["Orchestrator__Services__remote__Retry__RetryLostRuns"] = "true",
            ["Orchestrator__Services__remote__Retry__InitialDelay"] = "00:00:01",
            ["Orchestrator__Services__fake__Destination"] = "jobd-fake",
            ["Orchestrator__Services__fake__Retry__MaxAttempts"] = "1",
            ["Orchestrator__Services__paused__Destination"] = "paused",
            ["Orchestrator__Destinations__jobd__Kind"] = "jobd",
            ["Orchestrator__Destinations__jobd__Agents__0"] = AgentA.BaseAddress.ToString(),
            ["Orchestrator__Destinations__jobd__Agents__1"] = AgentB.BaseAddress.ToString(),
            ["Orchestrator__Destinations__jobd-fake__Kind"] = "jobd",
            ["Orchestrator__Destinations__jobd-fake__Agents__0"] = FakeA.BaseAddress.ToString(),
            ["Orchestrator__Destinations__jobd-fake__Agents__1"] = FakeB.BaseAddress.ToString(),
            ["Orchestrator__Destinations__paused__Kind"] = "local",
            ["Orchestrator__Destinations__paused__Capacity"] = "0",
            ["Executor__StatusInterval"] = "00:00:00.500",
            ["Executor__Remote__PollInterval"] = "00:00:00.200",
            ["Executor__Remote__SubmitAttempts"] = "3",
            ["Executor__Remote__SubmitBackoff"] = "00:00:00.200",
            ["Executor__Jobd__ProbeInterval"] = "00:00:00.300",
            ["Executor__Jobd__ProbeMaxBackoff"] = "00:00:01",
            ["Executor__Jobd__LostAgentGrace"] = LostAgentGrace.ToString(),
            ["Executor__Jobd__RequestTimeout"] = "00:00:05",
            ["Api__DestinationStatusStaleAfter"] = "00:00:10",
            ["Api__PartialResultsTimeout"] = "00:00:10",
        });
        await System.StartInstanceAsync("Executor-jobd", "Executor", new Dictionary<string, string>
        {
            ["Executor__Destination"] = "jobd",
            ["Executor__InstanceId"] = $"test-jobd-{Guid.NewGuid():N}",
        });
        await System.StartInstanceAsync("Executor-fake", "Executor", new Dictionary<string, string>
        {
            ["Executor__Destination"] = "jobd-fake",
            ["Executor__InstanceId"] = $"test-jobd-fake-{Guid.NewGuid():N}",
        });
    }

    public async Task DisposeAsync()
    {
        await System.DisposeAsync();
        await AgentA.DisposeAsync();
        await AgentB.DisposeAsync();
        await FakeA.DisposeAsync();
        await FakeB.DisposeAsync();
    }
}
