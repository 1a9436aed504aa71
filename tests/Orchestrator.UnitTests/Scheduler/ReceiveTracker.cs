using System.Collections.Concurrent;
using MassTransit;

namespace Orchestrator.UnitTests.Scheduler;

/// <summary>
/// Completes a task once the bus has finished with a message, whether the saga consumed it, ignored it or discarded it.
/// The harness's own lists cannot say this: a discarded or ignored event is never "consumed", and their waits end for
/// good at the first moment of inactivity.
/// </summary>
public sealed class ReceiveTracker : IReceiveObserver
{
    readonly ConcurrentDictionary<Guid, TaskCompletionSource> _processed = new();
    readonly ConcurrentQueue<string> _faults = new();
    readonly ConcurrentQueue<(Func<object, bool> Match, TaskCompletionSource Done)> _consumeWaiters = new();

    public IReadOnlyCollection<string> Faults => _faults;

    /// <summary>Call before sending the message, so the completion cannot be missed.</summary>
    public Task WhenProcessed(Guid messageId) => Completion(messageId).Task;

    /// <summary>
    /// Completes once a message matching <paramref name="match"/> (one the bus sends itself, such as a due timer) was
    /// consumed and the bus is done with it. Call before the message can arrive.
    /// </summary>
    public Task WhenConsumed<T>(Func<T, bool> match)
        where T : class
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _consumeWaiters.Enqueue((m => m is T message && match(message), done));
        return done.Task;
    }

    public Task PreReceive(ReceiveContext context) => Task.CompletedTask;

    public Task PostReceive(ReceiveContext context)
    {
        if (context.GetMessageId() is { } messageId)
            Completion(messageId).TrySetResult();
        return Task.CompletedTask;
    }

    public Task PostConsume<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType)
        where T : class
    {
        if (context.MessageId is not { } messageId)
            return Task.CompletedTask;
        foreach (var (match, done) in _consumeWaiters)
        {
            if (!done.Task.IsCompleted && match(context.Message))
                _ = Completion(messageId).Task.ContinueWith(_ => done.TrySetResult(), TaskScheduler.Default);
        }

        return Task.CompletedTask;
    }

    public Task ConsumeFault<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType, Exception exception)
        where T : class
    {
        _faults.Enqueue($"{typeof(T).Name} in {consumerType}: {exception.GetBaseException()}");
        return Task.CompletedTask;
    }

    public Task ReceiveFault(ReceiveContext context, Exception exception)
    {
        _faults.Enqueue($"receive on {context.InputAddress}: {exception.GetBaseException()}");
        if (context.GetMessageId() is { } messageId)
            Completion(messageId).TrySetResult();
        return Task.CompletedTask;
    }

    TaskCompletionSource Completion(Guid messageId) =>
        _processed.GetOrAdd(messageId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
