using MassTransit;

namespace Orchestrator.Platform.Messaging;

/// <summary>Observers of outbox captures would never see a real send, so connecting one is a no-op.</summary>
sealed class NoopConnectHandle : ConnectHandle
{
    public static readonly NoopConnectHandle Instance = new();

    public void Disconnect()
    {
    }

    public void Dispose()
    {
    }
}
