using Microsoft.Extensions.Options;
using Orchestrator.Platform.Configuration;

namespace Orchestrator.Executor;

public sealed class ExecutorOptionsValidator(IOptions<OrchestratorOptions> orchestrator) : IValidateOptions<ExecutorOptions>
{
    public ValidateOptionsResult Validate(string? name, ExecutorOptions options)
    {
        var errors = new List<string>();
        if (!orchestrator.Value.Destinations.ContainsKey(options.Destination))
            errors.Add($"Executor:Destination is '{options.Destination}', which is not among Orchestrator:Destinations ({string.Join(", ", orchestrator.Value.Destinations.Keys)}).");
        if (options.MaxConcurrentJobs < 1)
            errors.Add($"Executor:MaxConcurrentJobs must be at least 1, not {options.MaxConcurrentJobs}.");
        if (options.SlotWaitTimeout <= TimeSpan.Zero)
            errors.Add("Executor:SlotWaitTimeout must be positive.");
        if (options.StatusInterval <= TimeSpan.Zero)
            errors.Add("Executor:StatusInterval must be positive.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
