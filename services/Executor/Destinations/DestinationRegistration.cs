using Orchestrator.Executor.Destinations.Local;
using Orchestrator.Executor.Destinations.Slurm;
using Orchestrator.Executor.Runs;
using Orchestrator.Platform.Configuration;

namespace Orchestrator.Executor.Destinations;

public static class DestinationRegistration
{
    /// <summary>Registers the runner for the kind of destination this executor serves.</summary>
    public static WebApplicationBuilder AddDestination(this WebApplicationBuilder builder, string destination)
    {
        var kind = builder.Configuration[$"{OrchestratorOptions.Section}:Destinations:{destination}:Kind"] ?? "local";
        switch (kind)
        {
            // Remote kinds register their IRemoteDestination here and run through Remote.RemoteRunner.
            case "slurm":
                builder.AddSlurmDestination(destination);
                break;
            default:
                builder.Services.AddSingleton<IRunner, LocalRunner>();
                break;
        }

        return builder;
    }
}
