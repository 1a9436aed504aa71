using Orchestrator.Executor.Destinations.Slurm;

namespace Orchestrator.UnitTests.Executor.Slurm;

/// <summary>Answers each command by its program's name, as a test scripted it, and records every call.</summary>
public sealed class ScriptedCommandRunner : ICommandRunner
{
    readonly Dictionary<string, Queue<Func<CommandResult>>> _answers = new(StringComparer.Ordinal);

    public List<(string Program, IReadOnlyList<string> Arguments, string? Input)> Calls { get; } = [];

    /// <summary>Answers the next call of <paramref name="program"/> (the command after any prefix).</summary>
    public ScriptedCommandRunner Answer(string program, int exitCode, string output = "", string error = "") =>
        Answer(program, () => new CommandResult(exitCode, output, error));

    public ScriptedCommandRunner Answer(string program, Func<CommandResult> answer)
    {
        if (!_answers.TryGetValue(program, out var queue))
            _answers[program] = queue = new Queue<Func<CommandResult>>();
        queue.Enqueue(answer);
        return this;
    }

    public Task<CommandResult> RunAsync(string program, IReadOnlyList<string> arguments, string? standardInput, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        Calls.Add((program, arguments, standardInput));
        var command = _answers.ContainsKey(program) ? program : arguments.FirstOrDefault(_answers.ContainsKey);
        if (command is null || !_answers[command].TryDequeue(out var answer))
            throw new InvalidOperationException($"No answer scripted for '{program} {string.Join(' ', arguments)}'.");
        return Task.FromResult(answer());
    }
}
