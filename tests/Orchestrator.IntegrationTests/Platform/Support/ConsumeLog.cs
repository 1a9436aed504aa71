using System.Collections.Concurrent;
using MassTransit;
using Orchestrator.IntegrationTests.Infrastructure;

namespace Orchestrator.IntegrationTests.Platform.Support;

/// <summary>
/// Sees every delivery a consumer finished or gave up on, including the ones a transactional consumer skipped as
/// duplicates — so a test can wait until a redelivery was really handled before judging its (lack of) effect.
/// </summary>
public sealed class ConsumeLog : IConsumeObserver
{
    readonly ConcurrentQueue<ConsumedMessage> _consumed = new();

    public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context) where T : class
    {
        _consumed.Enqueue(Entry(context, faulted: false));
        return Task.CompletedTask;
    }

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class
    {
        _consumed.Enqueue(Entry(context, faulted: true));
        return Task.CompletedTask;
    }

    public IReadOnlyList<ConsumedMessage> On<T>(string queue, Func<ConsumedMessage, bool>? match = null)
        where T : class =>
        _consumed.Where(c => c.Queue == queue && c.MessageType == typeof(T) && (match is null || match(c))).ToList();

    public Task<IReadOnlyList<ConsumedMessage>> WaitForAsync<T>(
        string queue, Func<ConsumedMessage, bool> match, int count, string what, TimeSpan? timeout = null)
        where T : class =>
        Eventually.UntilAsync(() => Task.FromResult(On<T>(queue, match)), c => c.Count >= count, what, timeout);

    static ConsumedMessage Entry<T>(ConsumeContext<T> context, bool faulted) where T : class =>
        new(QueueOf(context.ReceiveContext.InputAddress), typeof(T), context.MessageId, context.Message, faulted);

    static string QueueOf(Uri inputAddress) => inputAddress.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries)[^1];
}
