namespace Orchestrator.IntegrationTests.Observability;

/// <summary>One span as an OTLP receiver got it, with the service that sent it (its resource's service.name).</summary>
public sealed record ReceivedSpan(
    string ServiceName,
    string? ServiceVersion,
    string TraceId,
    string SpanId,
    string? ParentSpanId,
    string Name,
    IReadOnlyDictionary<string, string> Attributes)
{
    public string? Attribute(string key) => Attributes.GetValueOrDefault(key);

    public override string ToString() =>
        $"{ServiceName} {Name} trace={TraceId} span={SpanId} parent={ParentSpanId ?? "-"} [{string.Join(", ", Attributes.Select(a => $"{a.Key}={a.Value}"))}]";
}
