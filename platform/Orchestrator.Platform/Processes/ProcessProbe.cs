namespace Orchestrator.Platform.Processes;

/// <summary>Reads <c>/proc</c> to tell whether a recorded run's process still lives.</summary>
public static class ProcessProbe
{
    /// <summary>The process's start time (clock ticks since boot), or null when there is no such live process.</summary>
    public static long? StartTicks(int pid) => StartTicks(pid, includeZombie: false);

    /// <summary>
    /// The start time also of a process that has ended but not been reaped yet (a zombie), whose pid is still its own:
    /// what a parent reads of a child it just started, however quickly that child ended.
    /// </summary>
    internal static long? StartTicks(int pid, bool includeZombie)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the parenthesised command name, which may itself contain spaces.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (fields[0] == "Z" && !includeZombie)
                return null;
            return long.Parse(fields[19]);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    public static bool IsAlive(int pid, long? startTicks) =>
        StartTicks(pid) is { } ticks && (startTicks is null || ticks == startTicks);
}
