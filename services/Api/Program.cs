using Orchestrator.Api.Consumers;
using Orchestrator.Api.Endpoints;
using Orchestrator.Api.Jobs;
using Orchestrator.Api.Persistence;
using Orchestrator.Platform.Configuration;
using Orchestrator.Platform.Hosting;
using Orchestrator.Platform.Persistence;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults("orchestrator-api");
builder.AddServiceDatabase<ApiDbContext>(ApiDbContext.Schema);
builder.Services.AddOptions<ApiOptions>().Bind(builder.Configuration.GetSection("Api"));
builder.Services.AddScoped<JobSubmissionService>();
builder.AddOrchestratorBus(bus =>
    bus.AddConsumer<JobStateChangedConsumer>().Endpoint(e => e.Name = "api-job-states"));
builder.AddOutboxDelivery<ApiDbContext>();

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapServiceEndpoints();
app.MapJobEndpoints();

return await app.RunServiceAsync(async services =>
{
    services.ValidateOptions<OrchestratorOptions>();
    await services.MigrateDatabaseAsync<ApiDbContext>();
});
