using MassTransit;
using Orchestrator.Contracts;
using Orchestrator.Platform.Hosting;
using Orchestrator.Scheduler.Dispatching;
using Orchestrator.Scheduler.Endpoints;
using Orchestrator.Scheduler.Monitoring;
using Orchestrator.Platform.Persistence;
using Orchestrator.Platform.Sagas;
using Orchestrator.Scheduler.Persistence;
using Orchestrator.Scheduler.StateMachines;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults("orchestrator-scheduler");
builder.AddServiceDatabase<SchedulerDbContext>(SchedulerDbContext.Schema);
builder.Services.AddSingleton<JobLifecycleStateMachine>();
builder.AddPostgresSagaRepository<JobLifecycleSaga, SchedulerDbContext>();
builder.AddOrchestratorBus(
    bus => bus.AddDurableScheduler<SchedulerDbContext>(),
    (context, cfg) => cfg.ReceiveEndpoint(QueueNames.JobLifecycle, endpoint =>
    {
        // Many events in hand at once let the repository handle them in shared transactions.
        endpoint.PrefetchCount = 256;
        endpoint.ConcurrentMessageLimit = 128;
        // One job's events are handled one at a time in the order they arrive, so a quick job's finish does not
        // overtake its start and skip Running; different jobs still run side by side.
        endpoint.UsePartitioner(endpoint.CreatePartitioner(256), message => message.CorrelationId ?? Guid.Empty);
        endpoint.StateMachineSaga(
            context.GetRequiredService<JobLifecycleStateMachine>(),
            context.GetRequiredService<PostgresSagaRepository<JobLifecycleSaga, SchedulerDbContext>>(),
            configure: null);
    }));
builder.AddOutboxDelivery<SchedulerDbContext>();
builder.AddInboxPruning<SchedulerDbContext>();
builder.AddJobDispatcher();
builder.Services.AddHostedService<SchedulerGauges>();
builder.Services.AddScoped<QueueOverviewReader>();

var app = builder.Build();

return await app.RunServiceAsync(async services =>
{
    services.ValidateOptions<Orchestrator.Platform.Configuration.OrchestratorOptions>();
    // Mapped only once the options are known to be valid: mapping /health builds the bus, and with it the state
    // machine, which reads them; a bad setting would otherwise end in a stack trace instead of a configuration error.
    app.MapServiceEndpoints();
    app.MapQueueEndpoints();
    await services.MigrateDatabaseAsync<SchedulerDbContext>();
});
