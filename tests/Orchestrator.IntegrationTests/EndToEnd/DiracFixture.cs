using Orchestrator.IntegrationTests.Infrastructure;

namespace Orchestrator.IntegrationTests.EndToEnd;

/// <summary>
/// One system whose <c>generic</c> service runs on a <c>dirac</c> destination, served by an executor of its own that
/// talks to the DiracX contract double. The executor holds its refresh token in a file, as a deployment would.
/// </summary>
public sealed class DiracFixture : IAsyncLifetime
{
    public const string ExecutorName = "Executor-dirac";
    public const int SubmitAttempts = 3;

    public DiracContractDouble Dirac { get; private set; } = null!;

    public OrchestratorSystem System { get; private set; } = null!;

    public string RefreshTokenFile { get; } = Path.Combine(Path.GetTempPath(), $"dirac-refresh-{Guid.NewGuid():N}");

    public ServiceProcess Executor => System[ExecutorName];

    public async Task InitializeAsync()
    {
        const string initialRefreshToken = "refresh-from-dirac-login";
        await File.WriteAllTextAsync(RefreshTokenFile, initialRefreshToken);
        Dirac = await DiracContractDouble.StartAsync(initialRefreshToken);
        System = await OrchestratorSystem.StartAsync(new Dictionary<string, string>
        {
            ["Orchestrator__Destinations__dirac__Kind"] = "dirac",
            ["Orchestrator__Services__generic__Destination"] = "dirac",
            // A run DIRAC never started fails at once, so the failure tests see the reason without the saga's retries.
            ["Orchestrator__Services__generic__Retry__MaxAttempts"] = "1",
        });
        await System.StartInstanceAsync(ExecutorName, "Executor", new Dictionary<string, string>
        {
            ["Executor__Destination"] = "dirac",
            ["Executor__InstanceId"] = $"test-dirac-{Guid.NewGuid():N}",
            ["Executor__Dirac__Url"] = Dirac.BaseAddress.ToString(),
            ["Executor__Dirac__RefreshTokenFile"] = RefreshTokenFile,
            ["Executor__Dirac__RequestTimeout"] = "00:00:10",
            ["Executor__Remote__PollInterval"] = "00:00:00.200",
            ["Executor__Remote__SubmitBackoff"] = "00:00:00.200",
            ["Executor__Remote__SubmitAttempts"] = SubmitAttempts.ToString(),
        });
    }

    public async Task DisposeAsync()
    {
        await System.DisposeAsync();
        await Dirac.DisposeAsync();
        File.Delete(RefreshTokenFile);
    }
}
