namespace Orchestrator.Executor.Destinations.Slurm;

/// <summary>
/// Runs one command line and collects what it printed. The Slurm adapter talks to the cluster only through this, so
/// its handling of failing, hanging or missing commands can be tested without a cluster.
/// </summary>
public interface ICommandRunner
{
    /// <summary>
    /// Runs <paramref name="program"/> with <paramref name="arguments"/> (no shell), feeding it
    /// <paramref name="standardInput"/> when given. Throws <see cref="CommandNotRunException"/> when the program
    /// cannot be started or does not end within <paramref name="timeout"/> (it is then killed).
    /// </summary>
    Task<CommandResult> RunAsync(string program, IReadOnlyList<string> arguments, string? standardInput, TimeSpan timeout,
        CancellationToken cancellationToken);
}
