using System.Collections.Concurrent;

namespace Orchestrator.UnitTests.Executor;

/// <summary>An HTTP handler that answers from a script and remembers each request, for DiracX client tests.</summary>
public sealed class ScriptedHandler(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
{
    public ConcurrentQueue<HttpRequestMessage> Requests { get; } = new();

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests.Enqueue(request);
        return Task.FromResult(answer(request));
    }
}
