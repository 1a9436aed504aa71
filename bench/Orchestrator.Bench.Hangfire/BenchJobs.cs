using System.Diagnostics;

namespace Orchestrator.Bench.Hangfire;

/// <summary>The job bodies Hangfire runs: public and static, so Hangfire can invoke them by name from storage.</summary>
public static class BenchJobs
{
    public static void NoOp(int index)
    {
        _ = index;
    }

    /// <summary>Runs the job's <c>run.sh</c> with bash in its directory, as the Orchestrator's local executor does.</summary>
    public static void RunScript(string directory)
    {
        var start = new ProcessStartInfo("bash")
        {
            WorkingDirectory = directory,
            UseShellExecute = false,
            RedirectStandardInput = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("bash run.sh >stdout.txt 2>stderr.txt </dev/null");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start");
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"run.sh exited with {process.ExitCode}");
    }
}
