using Orchestrator.IntegrationTests.Infrastructure;

namespace Orchestrator.IntegrationTests.EndToEnd;

/// <summary>
/// A whole system with an executor per Slurm destination, against the machine's real single-node Slurm:
/// <c>slurm</c> runs its commands through a wrapper that logs each one (a stand-in for an ssh prefix),
/// <c>slurmdown</c> through a wrapper that fails like ssh to a login node that is down.
/// </summary>
public sealed class SlurmFixture : IAsyncLifetime
{
    /// <summary>The service whose jobs run on Slurm.</summary>
    public const string Service = "slurmjobs";

    /// <summary>A Slurm service with a 3 s time limit.</summary>
    public const string ShortService = "slurmshort";

    /// <summary>A service routed to the Slurm destination whose login node is unreachable.</summary>
    public const string UnreachableService = "slurmdown";

    public const int SubmitAttempts = 3;

    public const int SagaAttempts = 2;

    public const int MemoryMb = 200;

    readonly string _directory = Directory.CreateTempSubdirectory("orch-slurm-").FullName;

    public OrchestratorSystem System { get; private set; } = null!;

    /// <summary>Start of the Slurm job names of this fixture's jobs.</summary>
    public string JobNamePrefix { get; } = $"orchtest-{Guid.NewGuid():N}"[..20];

    /// <summary>Every Slurm command the <c>slurm</c> destination ran, one line each (sbatch with its job name).</summary>
    public string CommandLog => Path.Combine(_directory, "commands.log");

    /// <summary>Every command the unreachable destination tried.</summary>
    public string UnreachableLog => Path.Combine(_directory, "unreachable.log");

    /// <summary>A directory job scripts can wait on, outside every job's directory.</summary>
    public string SignalDirectory => Path.Combine(_directory, "signals");

    public async Task InitializeAsync()
    {
        await SlurmCluster.EnsureRunningAsync();
        Directory.CreateDirectory(SignalDirectory);

        var loggingPrefix = WriteScript("logging-prefix.sh", $$"""
            #!/bin/bash
            # Logs the command, then runs it; sbatch's script comes on stdin, so its job name is logged from there.
            if [ "$1" = sbatch ] || [ "${1##*/}" = sbatch ]; then
              script="$(cat)"
              echo "$* $(grep -o -- '--job-name=[^ ]*' <<<"$script")" >> {{CommandLog}}
              exec "$@" <<<"$script"
            fi
            echo "$*" >> {{CommandLog}}
            exec "$@"
            """);
        var unreachablePrefix = WriteScript("unreachable-prefix.sh", $$"""
            #!/bin/bash
            echo "$*" >> {{UnreachableLog}}
            echo "ssh: connect to host login.example port 22: Connection refused" >&2
            exit 255
            """);

        System = await OrchestratorSystem.StartAsync(new Dictionary<string, string>
        {
            [$"Orchestrator__Services__{Service}__Destination"] = "slurm",
            [$"Orchestrator__Services__{Service}__Resources__Cpus"] = "1",
            [$"Orchestrator__Services__{Service}__Resources__MemoryMb"] = MemoryMb.ToString(),
            [$"Orchestrator__Services__{ShortService}__Destination"] = "slurm",
            [$"Orchestrator__Services__{ShortService}__Timeout"] = "00:00:03",
            [$"Orchestrator__Services__{UnreachableService}__Destination"] = "slurmdown",
            [$"Orchestrator__Services__{UnreachableService}__Retry__MaxAttempts"] = SagaAttempts.ToString(),
            [$"Orchestrator__Services__{UnreachableService}__Retry__InitialDelay"] = "00:00:00.500",
            ["Orchestrator__Destinations__slurm__Kind"] = "slurm",
            ["Orchestrator__Destinations__slurm__CommandPrefix"] = loggingPrefix,
            ["Orchestrator__Destinations__slurm__JobNamePrefix"] = JobNamePrefix,
            ["Orchestrator__Destinations__slurmdown__Kind"] = "slurm",
            ["Orchestrator__Destinations__slurmdown__CommandPrefix"] = unreachablePrefix,
            ["Orchestrator__Destinations__slurmdown__JobNamePrefix"] = JobNamePrefix,
            ["Executor__Remote__PollInterval"] = "00:00:00.250",
            ["Executor__Remote__SubmitAttempts"] = SubmitAttempts.ToString(),
            ["Executor__Remote__SubmitBackoff"] = "00:00:00.200",
        });
        // One slot, so a job after a cancelled one only runs once the cancelled one gave its slot back.
        await System.StartInstanceAsync("Executor-slurm", "Executor", new Dictionary<string, string>
        {
            ["Executor__Destination"] = "slurm",
            ["Executor__InstanceId"] = $"test-slurm-{Guid.NewGuid():N}",
            ["Executor__MaxConcurrentJobs"] = "1",
        });
        await System.StartInstanceAsync("Executor-slurmdown", "Executor", new Dictionary<string, string>
        {
            ["Executor__Destination"] = "slurmdown",
            ["Executor__InstanceId"] = $"test-slurmdown-{Guid.NewGuid():N}",
        });
    }

    public async Task DisposeAsync()
    {
        if (System is not null)
            await System.DisposeAsync();
        await SlurmCluster.CancelAllAsync(JobNamePrefix);
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>The Slurm job name of a job's attempt.</summary>
    public string JobName(Guid jobId, int attempt = 1) => $"{JobNamePrefix}-{jobId}-{attempt}";

    string WriteScript(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, content.ReplaceLineEndings("\n") + "\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        return path;
    }
}
