namespace Orchestrator.IntegrationTests.Infrastructure;

/// <summary>
/// The machine's single-node Slurm (deploy/scripts/start-slurm.sh), started when it does not answer, and its
/// commands, so tests can check what Slurm itself did. A cluster that cannot be started fails the tests.
/// </summary>
public static class SlurmCluster
{
    static readonly SemaphoreSlim Starting = new(1, 1);

    public static async Task EnsureRunningAsync()
    {
        await Starting.WaitAsync();
        try
        {
            if (await AnswersAsync())
                return;
            var script = Path.Combine(RepositoryPaths.Root, "deploy", "scripts", "start-slurm.sh");
            var (code, output, error) = await RunAsync("bash", [script], TimeSpan.FromMinutes(10));
            if (code != 0 || !await AnswersAsync())
                throw new InvalidOperationException($"Slurm could not be started by {script} (exit code {code}):{Environment.NewLine}{output}{error}");
        }
        finally
        {
            Starting.Release();
        }
    }

    /// <summary>
    /// Stops slurmctld as for maintenance (SIGTERM: it saves its state first; a SIGKILL may lose jobs it had not
    /// saved yet). Jobs go on under slurmd; <see cref="StartControllerAsync"/> starts it again.
    /// </summary>
    public static async Task StopControllerAsync()
    {
        var pid = (await File.ReadAllTextAsync("/run/slurmctld.pid")).Trim();
        var (code, _, error) = await RunAsync("kill", ["-TERM", pid]);
        if (code != 0)
            throw new InvalidOperationException($"kill -TERM {pid} (slurmctld) failed: {error}");
        await Eventually.UntilAsync(() => !Directory.Exists($"/proc/{pid}"), $"slurmctld ({pid}) to stop", TimeSpan.FromSeconds(30));
    }

    /// <summary>Starts slurmctld again after <see cref="StopControllerAsync"/>; the whole set-up script if that is not enough.</summary>
    public static async Task StartControllerAsync()
    {
        await RunAsync("slurmctld", []);
        try
        {
            await Eventually.UntilAsync(AnswersAsync, "slurmctld to answer again", TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            await EnsureRunningAsync();
        }
    }

    /// <summary>sacct's allocation line of each Slurm job of that name: <c>JobID|State|ExitCode|...</c> as asked.</summary>
    public static async Task<IReadOnlyList<string[]>> AccountingAsync(string jobName, string fields = "JobID,State,ExitCode")
    {
        var (code, output, error) = await RunAsync("sacct",
            ["--noheader", "--parsable2", "--allocations", $"--name={jobName}", "--starttime=now-1day", $"--format={fields}"]);
        if (code != 0)
            throw new InvalidOperationException($"sacct failed ({code}): {error}");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('|')).ToList();
    }

    /// <summary>The state squeue shows for the job, or null when slurmctld does not list it as pending or running.</summary>
    public static async Task<string?> QueueStateAsync(string slurmJobId)
    {
        var (code, output, _) = await RunAsync("squeue", ["--noheader", $"--jobs={slurmJobId}", "--format=%T"]);
        return code == 0 && output.Trim().Length > 0 ? output.Trim() : null;
    }

    /// <summary>Cancels every job whose name starts with <paramref name="namePrefix"/>, so no test leaves work behind.</summary>
    public static async Task CancelAllAsync(string namePrefix)
    {
        var (_, output, _) = await RunAsync("squeue", ["--noheader", "--format=%i %j"]);
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Trim().Split(' ', 2);
            if (parts.Length == 2 && parts[1].StartsWith(namePrefix, StringComparison.Ordinal))
                await RunAsync("scancel", [parts[0]]);
        }
    }

    static async Task<bool> AnswersAsync()
    {
        try
        {
            var (code, output, _) = await RunAsync("sinfo", ["--noheader", "--format=%T"]);
            var (accountingCode, _, _) = await RunAsync("sacct", ["--noheader", "--allocations", "--starttime=now", "--format=JobID"]);
            return code == 0 && accountingCode == 0
                && output.Split('\n').Any(s => s.Trim() is "idle" or "mixed" or "allocated" or "completing");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Not installed yet.
            return false;
        }
    }

    static Task<(int ExitCode, string Output, string Error)> RunAsync(string program, IReadOnlyList<string> arguments, TimeSpan? timeout = null) =>
        ExternalProgram.RunAsync(program, arguments, timeout ?? TimeSpan.FromSeconds(30));
}
