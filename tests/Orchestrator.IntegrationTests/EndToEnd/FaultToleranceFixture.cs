using Orchestrator.IntegrationTests.Infrastructure;

namespace Orchestrator.IntegrationTests.EndToEnd;

/// <summary>One system for all fault-tolerance tests; each test puts back any service it killed.</summary>
public sealed class FaultToleranceFixture : IAsyncLifetime
{
    public const int MaxConcurrentJobs = 4;

    public OrchestratorSystem System { get; private set; } = null!;

    public async Task InitializeAsync() =>
        System = await OrchestratorSystem.StartAsync(new Dictionary<string, string>
        {
            ["Executor__MaxConcurrentJobs"] = MaxConcurrentJobs.ToString(),
            ["Executor__AdoptedRunPollInterval"] = "00:00:00.200",
        });

    public async Task DisposeAsync() => await System.DisposeAsync();
}
