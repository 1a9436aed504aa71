using MassTransit;
using Orchestrator.Api.Callbacks;
using Orchestrator.Api.Consumers;
using Orchestrator.Api.Destinations;
using Orchestrator.Api.Endpoints.V1;
using Orchestrator.Api.Endpoints;
using Orchestrator.Api.Jobs;
using Orchestrator.Api.OpenApi;
using Orchestrator.Api.Persistence;
using Orchestrator.Api.Security;
using Orchestrator.Contracts;
using Orchestrator.Platform.Configuration;
using Orchestrator.Platform.Hosting;
using Orchestrator.Platform.Persistence;

// 'keys ...' manages API keys against the configured database instead of running the service.
var keysCommand = args is [ApiKeyCommand.Verb, ..];
var builder = WebApplication.CreateBuilder(keysCommand ? [] : args);

builder.AddServiceDefaults("orchestrator-api");
builder.AddServiceDatabase<ApiDbContext>(ApiDbContext.Schema);
builder.Services.AddOptions<ApiOptions>().Bind(builder.Configuration.GetSection("Api"));
builder.AddCallbacks();
builder.AddApiSecurity();
builder.Services.AddScoped<JobSubmissionService>();
builder.Services.AddScoped<JobCancellation>();
builder.Services.AddScoped<JobInputWriter>();
builder.Services.AddScoped<PartialResults>();
builder.Services.AddScoped<DestinationDirectory>();
builder.Services.AddHttpClient(JobInputWriter.DownloadClient, client => client.Timeout = Timeout.InfiniteTimeSpan);
builder.Services.AddSingleton<IMessageDataRepository, ApiMessageDataRepository>();
builder.AddOrchestratorBus(bus =>
{
    // Changes are applied a batch at a time, one batch after another and in arrival order: a few milliseconds of
    // waiting for company buy one transaction per batch instead of one per change.
    bus.AddConsumer<JobStateChangedConsumer>(c => c.Options<BatchOptions>(batch => batch
            .SetMessageLimit(JobStateChangedConsumer.BatchSize)
            .SetTimeLimit(TimeSpan.FromMilliseconds(5))
            .SetConcurrencyLimit(1)))
        .Endpoint(e =>
        {
            e.Name = "api-job-states";
            e.PrefetchCount = JobStateChangedConsumer.BatchSize * 2;
        });
    bus.AddConsumer<SubmitJobConsumer>().Endpoint(e => e.Name = SubmitJob.Queue);
    bus.AddConsumer<DestinationStatusConsumer>().Endpoint(e => e.Name = "api-destination-statuses");
    bus.AddRequestClient<RefreshJobDirectory>();
}, (context, cfg) => cfg.UseMessageData(context.GetRequiredService<IMessageDataRepository>()));
builder.AddOutboxDelivery<ApiDbContext>();
builder.AddInboxPruning<ApiDbContext>();
builder.AddApiDocumentation();

if (keysCommand)
{
    // The key goes to standard output alone, so logs of the command go to standard error.
    builder.Logging.ClearProviders();
    builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
}

var app = builder.Build();
if (keysCommand)
    return await ApiKeyCommand.RunAsync(app.Services, args[1..]);
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAuthentication();
app.UseAuthorization();
app.MapServiceEndpoints();
var authorized = app.MapGroup("").RequireAuthorization(ApiSecurityRegistration.JobsPolicy);
authorized.MapJobEndpoints();
authorized.MapV1JobEndpoints();
app.MapGroup("").RequireAuthorization(ApiSecurityRegistration.AdminPolicy).MapDestinationEndpoints();
app.MapAdminKeyEndpoints();

// The OpenAPI document and Swagger UI are public: they describe the API, they do not use it.
app.MapApiDocumentation();

return await app.RunServiceAsync(async services =>
{
    services.ValidateOptions<OrchestratorOptions>();
    await services.MigrateDatabaseAsync<ApiDbContext>();
    await services.WarnWhenNoApiKeysAsync();
});
