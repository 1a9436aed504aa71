using Microsoft.Extensions.Options;
using Orchestrator.Contracts;
using Orchestrator.Executor;
using Orchestrator.Executor.Consumers;
using Orchestrator.Executor.Destinations;
using Orchestrator.Executor.Destinations.Dirac;
using Orchestrator.Executor.Destinations.Remote;
using Orchestrator.Executor.Destinations.Slurm;
using Orchestrator.Executor.Persistence;
using Orchestrator.Executor.Runs;
using Orchestrator.Platform.Configuration;
using Orchestrator.Platform.Hosting;
using Orchestrator.Platform.Persistence;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults("orchestrator-executor");
builder.AddServiceDatabase<ExecutorDbContext>(ExecutorDbContext.Schema);
builder.Services.AddOptions<ExecutorOptions>().Bind(builder.Configuration.GetSection("Executor")).ValidateOnStart();
builder.Services.AddSingleton<IValidateOptions<ExecutorOptions>, ExecutorOptionsValidator>();
var executor = builder.Configuration.GetSection("Executor").Get<ExecutorOptions>() ?? new ExecutorOptions();
builder.Services.AddSingleton(new RunSlots(Math.Max(1, executor.MaxConcurrentJobs)));
builder.Services.AddSingleton<RunWriter>();
builder.Services.AddSingleton<RunReporter>();
builder.Services.AddOptions<RemoteRunnerOptions>().Bind(builder.Configuration.GetSection("Executor:Remote"));
builder.AddDestination(executor.Destination);
builder.AddOrchestratorBus(bus =>
{
    bus.AddConsumer<RunJobConsumer>().Endpoint(e =>
    {
        e.Name = QueueNames.Executor(executor.Destination);
        e.ConcurrentMessageLimit = 1;
        e.PrefetchCount = 2;
    });
    // Stops are published to all instances; each listens on a queue that lives as long as the instance.
    bus.AddConsumer<StopRunConsumer>().Endpoint(e =>
    {
        e.Name = $"executor-{executor.ResolvedInstanceId}-stops";
        e.Temporary = true;
    });
    bus.AddConsumer<RefreshJobDirectoryConsumer>().Endpoint(e =>
    {
        e.Name = $"executor-{executor.ResolvedInstanceId}-refreshes";
        e.Temporary = true;
    });
});
builder.AddOutboxDelivery<ExecutorDbContext>();
builder.AddInboxPruning<ExecutorDbContext>();
builder.Services.AddHostedService<DestinationStatusPublisher>();

var app = builder.Build();
app.MapServiceEndpoints();

return await app.RunServiceAsync(async services =>
{
    services.ValidateOptions<OrchestratorOptions>();
    services.ValidateOptions<ExecutorOptions>();
    // Checked only when this executor serves a dirac destination (its validator is registered then).
    services.ValidateOptions<DiracOptions>();
    services.ValidateSlurmOptions();
    await services.MigrateDatabaseAsync<ExecutorDbContext>();
    await services.RecoverRunsAsync();
});
