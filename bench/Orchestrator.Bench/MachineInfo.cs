namespace Orchestrator.Bench;

/// <summary>What the figures depend on: cores, memory and how busy the machine was (other work shares it).</summary>
public static class MachineInfo
{
    public static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    public static string Describe()
    {
        var memory = "unknown";
        try
        {
            var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            if (line is not null && long.TryParse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], out var kb))
                memory = $"{kb / 1024.0 / 1024.0:F1} GiB";
        }
        catch (IOException)
        {
        }

        return $"{Environment.ProcessorCount} cores, {memory} memory, load average {LoadAverage()}";
    }
}
