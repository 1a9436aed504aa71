using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orchestrator.Platform.Configuration;
using Orchestrator.Platform.Messaging;

namespace Orchestrator.Platform.Hosting;

/// <summary>What every Orchestrator service sets up the same way: configuration, telemetry, health, problems.</summary>
public static class ServiceDefaults
{
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder, string serviceName)
    {
        builder.AddSharedSettings();

        builder.Services.AddOptions<OrchestratorOptions>()
            .Bind(builder.Configuration.GetSection(OrchestratorOptions.Section))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<OrchestratorOptions>, OrchestratorOptionsValidator>();
        builder.Services.AddOptions<RabbitMqOptions>().Bind(builder.Configuration.GetSection(RabbitMqOptions.Section));
        builder.Services.AddOptions<OutboxOptions>().Bind(builder.Configuration.GetSection("Outbox"));
        builder.Services.AddOptions<InboxOptions>().Bind(builder.Configuration.GetSection("Inbox"))
            .Validate(o => o.Retention > TimeSpan.Zero && o.PruneInterval > TimeSpan.Zero && o.PruneBatchSize > 0,
                "Inbox:Retention and Inbox:PruneInterval must be positive times and Inbox:PruneBatchSize a positive number.")
            .ValidateOnStart();
        builder.Services.AddOptions<Scheduling.SchedulerOptions>().Bind(builder.Configuration.GetSection("MessageScheduler"));

        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<DatabaseUnavailableExceptionHandler>();
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
        builder.AddOrchestratorTelemetry(serviceName);
        return builder;
    }

    /// <summary>
    /// Loads <c>orchestrator.json</c>, the settings all services share, beneath the service's own appsettings and
    /// environment variables, so one file holds the services, destinations and connection strings.
    /// </summary>
    static void AddSharedSettings(this WebApplicationBuilder builder)
    {
        var shared = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("orchestrator.json", optional: true)
            .Build();
        builder.Configuration.Sources.Insert(0, new ChainedConfigurationSource { Configuration = shared });
    }
}
