using System.Runtime.InteropServices;

namespace Orchestrator.IntegrationTests.Infrastructure;

/// <summary>SIGKILL to a whole process group, as a machine that dies takes a job's processes with it.</summary>
public static class ProcessGroups
{
    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int signal);

    public static void Kill(int processGroupId) => _ = kill(-processGroupId, 9);

    public static bool IsAlive(int pid) => kill(pid, 0) == 0 && !IsZombie(pid);

    static bool IsZombie(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] == 'Z';
        }
        catch (IOException)
        {
            return true;
        }
    }
}
