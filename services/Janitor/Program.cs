using Orchestrator.Contracts;
using Orchestrator.Janitor.Consumers;
using Orchestrator.Platform.Configuration;
using Orchestrator.Platform.Hosting;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults("orchestrator-janitor");
builder.AddOrchestratorBus(bus =>
    bus.AddConsumer<ExpireJobResultsConsumer>().Endpoint(e => e.Name = QueueNames.Janitor));

var app = builder.Build();
app.MapServiceEndpoints();

return await app.RunServiceAsync(services =>
{
    services.ValidateOptions<OrchestratorOptions>();
    return Task.CompletedTask;
});
