using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Orchestrator.Executor.Destinations.Slurm;

/// <summary>Reports a slurm destination's configuration mistakes at start-up, by key.</summary>
public sealed partial class SlurmOptionsValidator(string section) : IValidateOptions<SlurmOptions>
{
    public ValidateOptionsResult Validate(string? name, SlurmOptions options)
    {
        var errors = new List<string>();
        if (options.CommandTimeout <= TimeSpan.Zero)
            errors.Add($"{section}:CommandTimeout must be positive, not {options.CommandTimeout}.");
        if (options.VanishedGrace < TimeSpan.Zero)
            errors.Add($"{section}:VanishedGrace must not be negative, not {options.VanishedGrace}.");
        foreach (var (key, value) in new[] { ("Partition", options.Partition), ("Account", options.Account), ("JobNamePrefix", options.JobNamePrefix) })
        {
            if (!string.IsNullOrEmpty(value) && !SafeWord().IsMatch(value))
                errors.Add($"{section}:{key} is '{value}'; use letters, digits and . _ - only.");
        }

        if (string.IsNullOrEmpty(options.JobNamePrefix))
            errors.Add($"{section}:JobNamePrefix is empty.");
        foreach (var (key, value) in new[] { ("Sbatch", options.Sbatch), ("Squeue", options.Squeue), ("Sacct", options.Sacct), ("Scancel", options.Scancel) })
        {
            if (string.IsNullOrWhiteSpace(value) || value.Any(char.IsWhiteSpace))
                errors.Add($"{section}:{key} must be one command name or path, not '{value}'.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex SafeWord();
}
