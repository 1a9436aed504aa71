using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace Orchestrator.Api.Callbacks;

public static class CallbackRegistration
{
    /// <summary>
    /// The callback sender and its HTTP client: a timeout per POST and a circuit breaker per receiving host, so one
    /// receiver that is down costs one failing request per break instead of one per pending event.
    /// </summary>
    public static WebApplicationBuilder AddCallbacks(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<CallbackOptions>().Bind(builder.Configuration.GetSection("Api:Callbacks"));
        builder.Services.AddHttpClient(CallbackSender.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .AddResilienceHandler("callbacks", (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<CallbackOptions>>().Value;
                pipeline
                    .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
                    {
                        FailureRatio = options.BreakerFailureRatio,
                        MinimumThroughput = options.BreakerMinimumThroughput,
                        SamplingDuration = options.BreakerSamplingDuration,
                        BreakDuration = options.BreakerDuration,
                    })
                    .AddTimeout(options.RequestTimeout);
            })
            .SelectPipelineByAuthority();
        builder.Services.AddHostedService<CallbackSender>();
        return builder;
    }
}
