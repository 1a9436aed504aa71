using Orchestrator.Executor.Destinations.Dirac;
using Orchestrator.Executor.Destinations.Jobd;
using Orchestrator.Executor.Destinations.Local;
using Orchestrator.Executor.Destinations.Remote;
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
            case "dirac":
                builder.Services.AddDiracDestination(builder.Configuration);
                break;
            case "jobd":
                builder.Services.AddOptions<JobdOptions>().Bind(builder.Configuration.GetSection(JobdOptions.Section));
                builder.Services.AddHttpClient(JobdAgentPool.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);
                builder.Services.AddSingleton<JobdAgentPool>();
                builder.Services.AddHostedService(services => services.GetRequiredService<JobdAgentPool>());
                builder.Services.AddSingleton<JobdDestination>();
                builder.Services.AddSingleton<IRemoteDestination>(services => services.GetRequiredService<JobdDestination>());
                builder.Services.AddSingleton<IPartialResultsSource>(services => services.GetRequiredService<JobdDestination>());
                builder.Services.AddSingleton<IRunner, RemoteRunner>();
                break;
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
