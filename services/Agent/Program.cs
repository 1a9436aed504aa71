using Orchestrator.Agent;
using Orchestrator.Agent.Endpoints;
using Orchestrator.Agent.Load;
using Orchestrator.Agent.Payloads;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddOptions<AgentOptions>().Bind(builder.Configuration.GetSection(AgentOptions.Section))
    .Validate(o => !string.IsNullOrWhiteSpace(o.DataPath), "Agent:DataPath must be set.")
    .Validate(o => o.MaxUploadBytes > 0, "Agent:MaxUploadBytes must be positive.")
    .Validate(o => o.MaxConcurrentRuns >= 0, "Agent:MaxConcurrentRuns must be 0 (no limit) or more.")
    .Validate(o => o.PollInterval > TimeSpan.Zero, "Agent:PollInterval must be positive.")
    .ValidateOnStart();
builder.Services.AddProblemDetails();
builder.Services.AddSingleton<PayloadStore>();
builder.Services.AddSingleton<PayloadSubmission>();
builder.Services.AddSingleton<PayloadKiller>();
builder.Services.AddSingleton<CpuLoadSampler>();
builder.Services.AddHostedService(services => services.GetRequiredService<CpuLoadSampler>());
builder.Services.AddHostedService<PayloadRunner>();

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapAgentEndpoints();

try
{
    await app.RunAsync();
    return 0;
}
catch (Microsoft.Extensions.Options.OptionsValidationException ex)
{
    Console.Error.WriteLine($"Configuration error: {string.Join(" ", ex.Failures)}");
    return 2;
}
