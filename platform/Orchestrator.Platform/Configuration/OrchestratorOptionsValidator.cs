using Microsoft.Extensions.Options;

namespace Orchestrator.Platform.Configuration;

/// <summary>Names every mistake in the shared configuration at start-up, in words an operator can act on.</summary>
public sealed class OrchestratorOptionsValidator : IValidateOptions<OrchestratorOptions>
{
    public ValidateOptionsResult Validate(string? name, OrchestratorOptions options)
    {
        var errors = new List<string>();
        if (options.Services.Count == 0)
            errors.Add("Orchestrator:Services is empty: configure at least one service, e.g. Orchestrator:Services:generic:Destination=local.");
        if (options.Destinations.Count == 0)
            errors.Add("Orchestrator:Destinations is empty: configure at least one, e.g. Orchestrator:Destinations:local:Kind=local.");

        foreach (var (serviceName, service) in options.Services)
        {
            if (string.IsNullOrWhiteSpace(service.Destination))
                errors.Add($"Orchestrator:Services:{serviceName}:Destination is empty.");
            else if (!options.Destinations.ContainsKey(service.Destination))
                errors.Add($"Orchestrator:Services:{serviceName}:Destination names '{service.Destination}', which is not among Orchestrator:Destinations ({string.Join(", ", options.Destinations.Keys)}).");
            if (service.MaxRuns < 1)
                errors.Add($"Orchestrator:Services:{serviceName}:MaxRuns must be at least 1, not {service.MaxRuns}.");
            if (service.RunsPerUser < 1)
                errors.Add($"Orchestrator:Services:{serviceName}:RunsPerUser must be at least 1, not {service.RunsPerUser}.");
            if (service.MaxQueuedPerUser is < 1)
                errors.Add($"Orchestrator:Services:{serviceName}:MaxQueuedPerUser must be at least 1 when set, not {service.MaxQueuedPerUser}.");
            if (service.MaxTimeout <= TimeSpan.Zero || service.Timeout is { } t && t <= TimeSpan.Zero)
                errors.Add($"Orchestrator:Services:{serviceName}: Timeout and MaxTimeout must be positive.");
            if (service.Retry.MaxAttempts < 1 || service.Retry.InitialDelay < TimeSpan.Zero || service.Retry.MaxDelay < service.Retry.InitialDelay)
                errors.Add($"Orchestrator:Services:{serviceName}:Retry needs MaxAttempts >= 1 and 0 <= InitialDelay <= MaxDelay.");
            if (service.DefaultShare <= 0 || service.Shares.Values.Any(s => s <= 0) || service.Groups.Values.Any(g => g.Share <= 0))
                errors.Add($"Orchestrator:Services:{serviceName}: fair-share weights (DefaultShare, Shares, Groups:*:Share) must be positive.");
        }

        foreach (var (destinationName, destination) in options.Destinations)
        {
            if (!DestinationOptions.Kinds.Contains(destination.Kind))
                errors.Add($"Orchestrator:Destinations:{destinationName}:Kind is '{destination.Kind}'; expected one of {string.Join(", ", DestinationOptions.Kinds)}.");
            if (destination.Capacity < 0)
                errors.Add($"Orchestrator:Destinations:{destinationName}:Capacity must be 0 (paused) or more, not {destination.Capacity}.");
            if (destination.Kind == "jobd" && destination.Agents.Count == 0)
                errors.Add($"Orchestrator:Destinations:{destinationName}:Agents is empty: a jobd destination needs at least one agent URL (Agents:0=http://node1:9000).");
            foreach (var agent in destination.Agents.Where(a => !Uri.TryCreate(a, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
                errors.Add($"Orchestrator:Destinations:{destinationName}:Agents has '{agent}', which is not an absolute http(s) URL.");
        }

        if (options.Retention <= TimeSpan.Zero)
            errors.Add($"Orchestrator:Retention must be positive (a TimeSpan such as 10.00:00:00), not {options.Retention}.");
        if (string.IsNullOrWhiteSpace(options.Storage.JobsRoot) || !Path.IsPathRooted(options.Storage.JobsRoot))
            errors.Add($"Orchestrator:Storage:JobsRoot must be an absolute path, not '{options.Storage.JobsRoot}'.");

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
