namespace Orchestrator.Executor.Destinations.Dirac;

/// <summary>The HTTP client of the <c>dirac</c> destination, wrapped so it is not mistaken for anyone else's.</summary>
public sealed class DiracHttp(HttpClient client) : IDisposable
{
    public HttpClient Client { get; } = client;

    public void Dispose() => Client.Dispose();
}
