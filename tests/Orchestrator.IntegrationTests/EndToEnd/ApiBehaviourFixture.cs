using Orchestrator.IntegrationTests.Infrastructure;

namespace Orchestrator.IntegrationTests.EndToEnd;

/// <summary>One system for the Api's HTTP behaviour, with an upload limit small enough to exceed cheaply.</summary>
public sealed class ApiBehaviourFixture : IAsyncLifetime
{
    public const int MaxUploadBytes = 1000;

    public OrchestratorSystem System { get; private set; } = null!;

    public async Task InitializeAsync() =>
        System = await OrchestratorSystem.StartAsync(new Dictionary<string, string>
        {
            ["Api__MaxUploadBytes"] = MaxUploadBytes.ToString(),
        });

    public async Task DisposeAsync() => await System.DisposeAsync();
}
