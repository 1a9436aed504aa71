using Orchestrator.IntegrationTests.Infrastructure;

namespace Orchestrator.IntegrationTests.EndToEnd;

/// <summary>A service's Resources bind its local runs (setrlimit through the launcher): a run over one fails, naming it.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class ResourceLimitTests : IAsyncLifetime
{
    OrchestratorSystem _system = null!;

    public async Task InitializeAsync() =>
        _system = await OrchestratorSystem.StartAsync(new Dictionary<string, string>
        {
            ["Orchestrator__Services__generic__Resources__CpuTimeSeconds"] = "1",
            ["Orchestrator__Services__generic__Resources__MaxFileSizeMb"] = "1",
            ["Orchestrator__Services__generic__Resources__MemoryMb"] = "1024",
        });

    public async Task DisposeAsync() => await _system.DisposeAsync();

    [Fact]
    public async Task A_job_writing_a_file_over_the_size_limit_fails_with_the_limit_recorded_and_the_file_cut_at_it()
    {
        var (id, directory) = await _system.SubmitAsync("echo before > before.txt\nhead -c 3000000 /dev/zero > big.bin\n");

        var job = await _system.WaitForFinalStateAsync(id);

        Assert.Equal("Failed", job.State());
        Assert.Equal(153, job.ExitCode());
        Assert.Contains("file larger than its limit of 1 MiB", job.Error());
        Assert.True(new FileInfo(Path.Combine(directory, "big.bin")).Length <= 1024 * 1024);
    }

    [Fact]
    public async Task A_job_using_more_cpu_time_than_its_limit_is_killed_with_the_limit_recorded()
    {
        var (id, _) = await _system.SubmitAsync("while :; do :; done\n");

        var job = await _system.WaitForFinalStateAsync(id);

        Assert.Equal("Failed", job.State());
        Assert.Equal(152, job.ExitCode());
        Assert.Contains("CPU time limit of 1 s", job.Error());
    }

    [Fact]
    public async Task A_job_within_its_limits_completes()
    {
        var (id, directory) = await _system.SubmitAsync("head -c 100000 /dev/zero > small.bin\nulimit -t > limits.txt\nulimit -f >> limits.txt\nulimit -v >> limits.txt\n");

        var job = await _system.WaitForFinalStateAsync(id);

        Assert.Equal("Completed", job.State());
        // The run saw the soft CPU limit, the file size limit in KiB and the address space limit in KiB.
        Assert.Equal(["1", "1024", "1048576"], await File.ReadAllLinesAsync(Path.Combine(directory, "limits.txt")));
    }
}
