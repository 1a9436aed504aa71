using Microsoft.Extensions.Options;
using Orchestrator.Executor.Destinations.Remote;
using Orchestrator.Executor.Runs;

namespace Orchestrator.Executor.Destinations.Dirac;

public static class DiracDestinationRegistration
{
    public static IServiceCollection AddDiracDestination(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DiracOptions>().Bind(configuration.GetSection(DiracOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DiracOptions>, DiracOptionsValidator>();
        // One client for DiracX and its sandbox store; pooled connections are renewed so DNS changes are seen.
        services.AddSingleton(sp => new DiracHttp(new HttpClient(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        })
        {
            Timeout = sp.GetRequiredService<IOptions<DiracOptions>>().Value.RequestTimeout,
        }));
        services.AddSingleton(sp => new DiracTokens(sp.GetRequiredService<DiracHttp>().Client,
            sp.GetRequiredService<IOptions<DiracOptions>>(), sp.GetRequiredService<ILogger<DiracTokens>>()));
        services.AddSingleton(sp => new DiracApi(sp.GetRequiredService<DiracHttp>().Client,
            sp.GetRequiredService<DiracTokens>(), sp.GetRequiredService<IOptions<DiracOptions>>()));
        services.AddSingleton<IRemoteDestination, DiracDestination>();
        services.AddSingleton<IRunner, RemoteRunner>();
        return services;
    }
}
