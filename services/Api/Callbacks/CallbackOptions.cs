namespace Orchestrator.Api.Callbacks;

/// <summary>Section <c>Api:Callbacks</c>: signing and delivery of job callbacks.</summary>
public sealed class CallbackOptions
{
    /// <summary>The HMAC-SHA256 key callbacks are signed with, unless the job's service has one of its own.</summary>
    public string? SigningKey { get; set; }

    /// <summary>Signing keys by service name, overriding <see cref="SigningKey"/>.</summary>
    public Dictionary<string, string> SigningKeys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Wait before the second try of a delivery; doubles with every failure up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>A delivery still failing this long after its event is given up (recorded as failed).</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Limit of one POST to a receiver.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the sender looks for due deliveries when nothing wakes it.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The share of failed POSTs to one host, within <see cref="BreakerSamplingDuration"/>, that opens its circuit.</summary>
    public double BreakerFailureRatio { get; set; } = 0.5;

    public int BreakerMinimumThroughput { get; set; } = 4;

    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a host's open circuit holds its deliveries back before one is tried again.</summary>
    public TimeSpan BreakerDuration { get; set; } = TimeSpan.FromSeconds(30);

    public string? SigningKeyFor(string service) =>
        SigningKeys.TryGetValue(service, out var key) && !string.IsNullOrEmpty(key) ? key
        : string.IsNullOrEmpty(SigningKey) ? null : SigningKey;
}
