namespace Orchestrator.Platform.Processes;

/// <summary>A run's wrapper process as <see cref="LocalProcessLauncher"/> started it: its pid, start time and end.</summary>
public sealed class RunProcess
{
    RunProcess(int id, long? startTicks, Task<int?> exited)
    {
        Id = id;
        StartTicks = startTicks;
        Exited = exited;
    }

    /// <summary>The wrapper's pid, which is also its session and process group id.</summary>
    public int Id { get; }

    /// <summary>
    /// The wrapper's start time (clock ticks since boot), read before it can be reaped, so its pid cannot have been
    /// reused yet.
    /// </summary>
    public long? StartTicks { get; }

    /// <summary>
    /// Completes when the wrapper has ended, with its exit code: run.sh's, <see cref="LocalProcessLauncher.LimitsNotApplied"/>,
    /// or 128 + the signal that ended the wrapper itself (a stop). When something else reaped the wrapper first, the
    /// code it recorded in <see cref="LocalProcessLauncher.ExitCodeFile"/>; null when it recorded none either.
    /// </summary>
    public Task<int?> Exited { get; }

    /// <summary>Follows child <paramref name="id"/> of this process, which runs in <paramref name="directory"/>.</summary>
    internal static RunProcess Follow(int id, string directory) =>
        new(id, ProcessProbe.StartTicks(id, includeZombie: true), ExitedAsync(id, directory));

    static async Task<int?> ExitedAsync(int id, string directory)
    {
        if (await ChildReaper.WaitForExit(id) is { } code)
            return code;
        try
        {
            return LocalProcessLauncher.ReadExitCode(directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
