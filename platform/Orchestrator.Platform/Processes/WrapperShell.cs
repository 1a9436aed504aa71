using System.Globalization;
using Orchestrator.Platform.Configuration;

namespace Orchestrator.Platform.Processes;

/// <summary>
/// The shell a run's wrapper script runs in. The wrapper only sets limits, runs <c>bash run.sh</c> and records its
/// exit code, so it needs no more than a POSIX shell: dash (Debian's <c>/bin/sh</c>, always installed there) costs
/// less CPU to start than bash (0.7 to 1 ms less per run, measured on a two-core VM). bash is the fallback where dash
/// is not installed (RHEL and its rebuilds). The two set the same limits and give a script ended by signal n the same
/// status, 128 + n, but spell two of the limits differently: dash's processes flag is <c>-p</c> (bash's <c>-p</c> is
/// the pipe size) and it counts file sizes in 512-byte blocks, not KiB. dash also takes one resource per
/// <c>ulimit</c>, so the command has one per limit.
/// </summary>
internal sealed class WrapperShell
{
    WrapperShell(string path, char processesFlag, int fileSizeBlock)
    {
        Path = path;
        ProcessesFlag = processesFlag;
        FileSizeBlock = fileSizeBlock;
    }

    public static WrapperShell Dash { get; } = new("/bin/dash", 'p', 512);

    public static WrapperShell Bash { get; } = new("/bin/bash", 'u', 1024);

    /// <summary>dash where it is installed, else bash.</summary>
    public static WrapperShell Default { get; } = File.Exists(Dash.Path) ? Dash : Bash;

    public string Path { get; }

    /// <summary>The name it runs under (its argv[0]), as <c>ps</c> shows it.</summary>
    public string Name => System.IO.Path.GetFileName(Path);

    char ProcessesFlag { get; }

    /// <summary>Bytes in a unit of <c>ulimit -f</c>.</summary>
    int FileSizeBlock { get; }

    /// <summary>
    /// The <c>ulimit</c> commands for <paramref name="resources"/>, joined by <c>&amp;&amp;</c>: CPU seconds, address
    /// space, processes of the user and file size; empty when nothing is limited. Hard and soft limits are set together,
    /// so the job cannot raise them again; only the soft CPU limit is a second lower, so the run first gets SIGXCPU
    /// (an exit code that names the limit) and SIGKILL only if it ignores it.
    /// </summary>
    public string LimitCommand(ResourceOptions? resources)
    {
        if (resources is null)
            return string.Empty;
        var commands = new List<string>();
        if (resources.CpuTimeSeconds is { } cpu)
            commands.Add($"ulimit -t {Number(cpu + 1L)}");
        if (resources.MemoryMb is { } memory)
            commands.Add($"ulimit -v {Number(memory * 1024L)}");
        if (resources.MaxProcesses is { } processes)
            commands.Add($"ulimit -{ProcessesFlag} {Number(processes)}");
        if (resources.MaxFileSizeMb is { } fileSize)
            commands.Add($"ulimit -f {Number(fileSize * (1024L * 1024 / FileSizeBlock))}");
        if (resources.CpuTimeSeconds is { } soft)
            commands.Add($"ulimit -S -t {Number(soft)}");
        return string.Join(" && ", commands);
    }

    static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
