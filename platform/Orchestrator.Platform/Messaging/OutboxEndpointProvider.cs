using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Orchestrator.Platform.Messaging;

/// <summary>Hands out <see cref="OutboxSendEndpoint"/>s for sends and publishes of one transactional consume context.</summary>
sealed class OutboxEndpointProvider(ConsumeContext consumeContext, DbContext db) : ISendEndpointProvider, IPublishEndpointProvider
{
    public Task<ISendEndpoint> GetSendEndpoint(Uri address) =>
        Task.FromResult<ISendEndpoint>(new OutboxSendEndpoint(consumeContext, db, address));

    public Task<ISendEndpoint> GetPublishSendEndpoint<T>() where T : class =>
        Task.FromResult<ISendEndpoint>(new OutboxSendEndpoint(consumeContext, db, destination: null));

    public ConnectHandle ConnectSendObserver(ISendObserver observer) => NoopConnectHandle.Instance;

    public ConnectHandle ConnectPublishObserver(IPublishObserver observer) => NoopConnectHandle.Instance;
}
