using MassTransit;
using MassTransit.Context;
using MassTransit.Scheduling;
using Microsoft.EntityFrameworkCore;
using Orchestrator.Platform.Persistence;
using ScheduledMessage = Orchestrator.Platform.Scheduling.ScheduledMessage;

namespace Orchestrator.Platform.Messaging;

/// <summary>
/// The send endpoint a <see cref="TransactionalConsumeContext{TMessage}"/> hands out: instead of reaching the broker,
/// every message becomes an outbox row of the consumer's transaction. Schedule and cancel commands for the durable
/// scheduler become rows of its table directly, in the same transaction.
/// </summary>
sealed class OutboxSendEndpoint(ConsumeContext consumeContext, DbContext db, Uri? destination) : ISendEndpoint
{
    public ConnectHandle ConnectSendObserver(ISendObserver observer) => NoopConnectHandle.Instance;

    public Task Send<T>(T message, CancellationToken cancellationToken = default) where T : class =>
        Capture(message, null, cancellationToken);

    public Task Send<T>(T message, IPipe<SendContext<T>> pipe, CancellationToken cancellationToken = default)
        where T : class =>
        Capture(message, pipe.Send, cancellationToken);

    public Task Send<T>(T message, IPipe<SendContext> pipe, CancellationToken cancellationToken = default)
        where T : class =>
        Capture<T>(message, ctx => pipe.Send(ctx), cancellationToken);

    public Task Send(object message, CancellationToken cancellationToken = default) =>
        CaptureUntyped(message, message.GetType(), null, cancellationToken);

    public Task Send(object message, Type messageType, CancellationToken cancellationToken = default) =>
        CaptureUntyped(message, messageType, null, cancellationToken);

    public Task Send(object message, IPipe<SendContext> pipe, CancellationToken cancellationToken = default) =>
        CaptureUntyped(message, message.GetType(), pipe, cancellationToken);

    public Task Send(object message, Type messageType, IPipe<SendContext> pipe, CancellationToken cancellationToken = default) =>
        CaptureUntyped(message, messageType, pipe, cancellationToken);

    public Task Send<T>(object values, CancellationToken cancellationToken = default) where T : class =>
        CaptureValues<T>(values, cancellationToken);

    public Task Send<T>(object values, IPipe<SendContext<T>> pipe, CancellationToken cancellationToken = default)
        where T : class =>
        CaptureValues<T>(values, cancellationToken);

    public Task Send<T>(object values, IPipe<SendContext> pipe, CancellationToken cancellationToken = default)
        where T : class =>
        CaptureValues<T>(values, cancellationToken);

    /// <summary>
    /// MassTransit's scheduler sends <see cref="CancelScheduledMessage"/> as an object of values (CancelScheduledSend,
    /// a state machine's Unschedule); that one command is understood, everything else must be a concrete message.
    /// </summary>
    Task CaptureValues<T>(object values, CancellationToken cancellationToken) where T : class =>
        typeof(T) == typeof(CancelScheduledMessage)
        && values.GetType().GetProperty(nameof(CancelScheduledMessage.TokenId))?.GetValue(values) is Guid tokenId
            ? CancelScheduled(tokenId, cancellationToken)
            : throw ValuesNotSupported<T>();

    static NotSupportedException ValuesNotSupported<T>() =>
        new($"Send a {typeof(T).Name} record rather than an object of values: the outbox stores concrete messages.");

    static readonly System.Reflection.MethodInfo CaptureWithPipeMethod =
        typeof(OutboxSendEndpoint).GetMethod(nameof(CaptureWithPipe), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!;

    Task CaptureUntyped(object message, Type messageType, IPipe<SendContext>? pipe, CancellationToken cancellationToken) =>
        (Task)CaptureWithPipeMethod.MakeGenericMethod(messageType).Invoke(this, [message, pipe, cancellationToken])!;

    Task CaptureWithPipe<T>(T message, IPipe<SendContext>? pipe, CancellationToken cancellationToken) where T : class =>
        Capture<T>(message, pipe is null ? null : ctx => pipe.Send(ctx), cancellationToken);

    async Task Capture<T>(T message, Func<SendContext<T>, Task>? pipe, CancellationToken cancellationToken) where T : class
    {
        switch (message)
        {
            case ScheduleMessage schedule:
                AddScheduled(schedule);
                return;
            case CancelScheduledMessage cancel:
                await CancelScheduled(cancel.TokenId, cancellationToken);
                return;
        }

        // Run the sender's pipe against a scratch context to learn the ids and headers it sets.
        var context = new MessageSendContext<T>(message, cancellationToken);
        if (pipe is not null)
            await pipe(context);

        var headers = new Dictionary<string, string>();
        foreach (var header in context.Headers.GetAll())
        {
            if (header.Value is not null)
                headers[header.Key] = header.Value.ToString()!;
        }

        db.AddOutboxMessage(
            message,
            typeof(T),
            destination,
            context.CorrelationId ?? CorrelationOf(message),
            consumeContext.ConversationId ?? consumeContext.MessageId,
            consumeContext.MessageId,
            headers,
            context.MessageId);
    }

    void AddScheduled(ScheduleMessage schedule)
    {
        var payloadType = schedule.Payload.GetType();
        db.Set<ScheduledMessage>().Add(new ScheduledMessage
        {
            TokenId = schedule.CorrelationId,
            DueAt = new DateTimeOffset(DateTime.SpecifyKind(schedule.ScheduledTime, DateTimeKind.Utc)),
            DestinationAddress = schedule.Destination.ToString(),
            MessageType = MessageBodySerializer.TypeName(payloadType),
            Body = MessageBodySerializer.Serialize(schedule.Payload, payloadType),
            CorrelationId = CorrelationOf(schedule.Payload),
            TraceParent = System.Diagnostics.Activity.Current?.Id,
            CreatedAt = DateTimeOffset.UtcNow,
        });
    }

    async Task CancelScheduled(Guid tokenId, CancellationToken cancellationToken)
    {
        foreach (var entry in db.ChangeTracker.AddedEntries<ScheduledMessage>())
        {
            if (entry.Entity.TokenId == tokenId)
                entry.State = EntityState.Detached;
        }

        // Nothing reads whether a row was there, so a batch of messages can share one delete at its end.
        if (consumeContext.TryGetPayload(out DeferredStatements? deferred))
            deferred.AddId($"DELETE FROM {db.TableOf<ScheduledMessage>()} WHERE token_id = ANY(@ids)", tokenId);
        else
            await db.Set<ScheduledMessage>().Where(m => m.TokenId == tokenId).ExecuteDeleteAsync(cancellationToken);
    }

    static Guid? CorrelationOf(object message) =>
        message.GetType().GetProperty("JobId")?.GetValue(message) as Guid?;
}
