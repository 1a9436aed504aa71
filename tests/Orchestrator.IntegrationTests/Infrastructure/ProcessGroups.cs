using System.Runtime.InteropServices;

namespace Orchestrator.IntegrationTests.Infrastructure;

/// <summary>SIGKILL to a whole process group, as a machine that dies takes a job's processes with it.</summary>
public static class ProcessGroups
{
    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int signal);

    public static void Kill(int processGroupId) => _ = kill(-processGroupId, 9);

    /// <summary>A pid that is gone or a zombie no longer runs anything.</summary>
    public static bool IsAlive(int pid) => Orchestrator.Platform.Processes.ProcessProbe.IsAlive(pid, startTicks: null);
}
