using MassTransit;
using MassTransit.Context;

namespace Orchestrator.Platform.Messaging;

/// <summary>
/// The receive context a <see cref="TransactionalConsumeContext{TMessage}"/> shows to the contexts MassTransit builds
/// on top of it. A state machine's behavior context, for one, publishes and sends through its receive context's
/// endpoint providers rather than through the context it wraps; these providers keep those messages in the outbox.
/// </summary>
sealed class OutboxReceiveContext(ReceiveContext context, OutboxEndpointProvider endpoints) : ReceiveContextProxy(context)
{
    public override ISendEndpointProvider SendEndpointProvider => endpoints;

    public override IPublishEndpointProvider PublishEndpointProvider => endpoints;
}
