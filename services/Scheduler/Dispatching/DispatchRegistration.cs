namespace Orchestrator.Scheduler.Dispatching;

public static class DispatchRegistration
{
    public static WebApplicationBuilder AddJobDispatcher(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<DispatchOptions>().Bind(builder.Configuration.GetSection("Dispatch"));
        builder.Services.AddSingleton<IJobQueue, PostgresJobQueue>();
        builder.Services.AddSingleton<DispatchSignal>();
        builder.Services.AddScoped<DispatchPass>();
        builder.Services.AddHostedService<DispatchListener>();
        builder.Services.AddHostedService<JobDispatcher>();
        return builder;
    }
}
