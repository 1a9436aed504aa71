using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orchestrator.Executor.Destinations.Remote;
using Orchestrator.Executor.Runs;
using Orchestrator.Platform.Configuration;

namespace Orchestrator.Executor.Destinations.Slurm;

public static class SlurmRegistration
{
    /// <summary>Runs this executor's jobs on a Slurm cluster configured under <c>Orchestrator:Destinations:{destination}</c>.</summary>
    public static WebApplicationBuilder AddSlurmDestination(this WebApplicationBuilder builder, string destination)
    {
        var section = $"{OrchestratorOptions.Section}:Destinations:{destination}";
        builder.Services.AddOptions<SlurmOptions>().Bind(builder.Configuration.GetSection(section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SlurmOptions>>(new SlurmOptionsValidator(section));
        builder.Services.AddSingleton<ICommandRunner, ProcessCommandRunner>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<SlurmCommandLine>();
        builder.Services.AddSingleton<IRemoteDestination, SlurmDestination>();
        builder.Services.AddSingleton<IRunner, RemoteRunner>();
        return builder;
    }

    /// <summary>Validates the slurm settings before migrations run (a no-op for other kinds: no validator is registered).</summary>
    public static void ValidateSlurmOptions(this IServiceProvider services) =>
        _ = services.GetRequiredService<IOptions<SlurmOptions>>().Value;
}
