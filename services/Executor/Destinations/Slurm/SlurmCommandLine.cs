using Microsoft.Extensions.Options;
using Orchestrator.Executor.Destinations.Remote;

namespace Orchestrator.Executor.Destinations.Slurm;

/// <summary>
/// Runs the Slurm commands, behind the configured prefix, and tells an unreachable cluster (command missing, ssh
/// failing, slurmctld or slurmdbd down, no answer in time: <see cref="DestinationUnavailableException"/>, worth
/// repeating) from a command that answered (its result, for the caller to read).
/// </summary>
public sealed class SlurmCommandLine(ICommandRunner runner, IOptions<SlurmOptions> options)
{
    /// <summary>Exit codes of a shell or ssh that could not run the command at all.</summary>
    static readonly int[] NotRunExitCodes = [126, 127, 255];

    /// <summary>What Slurm's commands print when the controller or the accounting daemon does not answer.</summary>
    static readonly string[] UnreachableMessages =
    [
        "Unable to contact slurm controller",
        "Socket timed out",
        "Connection refused",
        "Connection timed out",
        "Communication connection failure",
        "Zero Bytes were transmitted or received",
        "slurm_persist_conn_open",
        "Unable to connect to database",
        "Problem talking to the database",
        "Slurm backup controller in standby mode",
        "Munge encode failed",
        "Munged communication error",
        "Transient",
        "Resource temporarily unavailable",
    ];

    public async Task<CommandResult> RunAsync(Func<SlurmOptions, string> command, IReadOnlyList<string> arguments,
        string? standardInput, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var words = settings.PrefixWords.Append(command(settings)).Concat(arguments).ToList();
        var described = string.Join(' ', words.Skip(settings.PrefixWords.Count).Take(2));
        CommandResult result;
        try
        {
            result = await runner.RunAsync(words[0], words.Skip(1).ToList(), standardInput, settings.CommandTimeout, cancellationToken);
        }
        catch (CommandNotRunException ex)
        {
            throw new DestinationUnavailableException($"Slurm is unreachable: {ex.Message}", ex);
        }

        if (result.ExitCode != 0 && IsUnreachable(result, settings.PrefixWords.Count > 0))
            throw new DestinationUnavailableException($"Slurm is unreachable ({described}: {result.Message})");
        return result;
    }

    /// <summary>Whether a failed command says the cluster, not the request, is the problem.</summary>
    public static bool IsUnreachable(CommandResult result, bool throughPrefix) =>
        (NotRunExitCodes.Contains(result.ExitCode) && (throughPrefix || result.ExitCode != 255))
        || UnreachableMessages.Any(m => result.StandardError.Contains(m, StringComparison.OrdinalIgnoreCase)
                                        || result.StandardOutput.Contains(m, StringComparison.OrdinalIgnoreCase));
}
