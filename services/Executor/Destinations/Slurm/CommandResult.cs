namespace Orchestrator.Executor.Destinations.Slurm;

/// <summary>How a command ended and what it printed.</summary>
public sealed record CommandResult(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>The error output, else the standard output, on one line, for messages.</summary>
    public string Message
    {
        get
        {
            var text = string.IsNullOrWhiteSpace(StandardError) ? StandardOutput : StandardError;
            var oneLine = string.Join(" ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            return oneLine.Length == 0 ? $"exit code {ExitCode}, no output" : oneLine.Length > 500 ? oneLine[..500] + "..." : oneLine;
        }
    }
}
