using System.Runtime.InteropServices;

namespace Orchestrator.Platform.Processes;

/// <summary>Signals a run's whole process group: the script and everything it started, not just the wrapper.</summary>
public static class ProcessGroup
{
    const int SigKill = 9;
    const int SigTerm = 15;

    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int signal);

    /// <summary>Asks the group to stop, then kills it if it is still there after <paramref name="grace"/>.</summary>
    public static async Task StopAsync(int processGroupId, long? startTicks, TimeSpan grace)
    {
        if (!ProcessProbe.IsAlive(processGroupId, startTicks))
            return;
        _ = kill(-processGroupId, SigTerm);
        var deadline = DateTime.UtcNow + grace;
        while (DateTime.UtcNow < deadline && ProcessProbe.IsAlive(processGroupId, startTicks))
            await Task.Delay(50);
        _ = kill(-processGroupId, SigKill);
    }
}
