using System.Diagnostics;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Orchestrator.Platform.Persistence;

namespace Orchestrator.Platform.Sagas;

/// <summary>
/// One saga message waiting for the transaction that handles it. Its consumer awaits <see cref="Completion"/>, which
/// ends when that transaction commits, or with the message's own failure.
/// </summary>
public abstract class SagaWork<TSaga>
    where TSaga : class, ISaga
{
    readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected SagaWork(Guid correlationId, Guid? messageId)
    {
        CorrelationId = correlationId;
        MessageId = messageId;
        // The saga runs on the writer's task; it must still see its own message's span, log scope and baggage.
        ExecutionContext = ExecutionContext.Capture();
        Span = Activity.Current?.Context;
    }

    public Guid CorrelationId { get; }

    public Guid? MessageId { get; }

    /// <summary>The consumer's span, which a transaction handling several messages links to.</summary>
    public ActivityContext? Span { get; }

    public ExecutionContext? ExecutionContext { get; }

    public Task Completion => _done.Task;

    public void Complete() => _done.TrySetResult();

    public void Fail(Exception exception) => _done.TrySetException(exception);

    /// <summary>
    /// Runs the saga on the message inside the open transaction of <paramref name="db"/>: on <paramref name="instance"/>,
    /// or, when there is none yet, on the one the saga's policy creates. Added, changed and finished instances are left
    /// in the change tracker for the transaction's one save.
    /// </summary>
    public Task RunAsync(DbContext db, TSaga? instance, DeferredStatements deferred) =>
        RunInOwnContext(() => RunCoreAsync(db, instance, deferred));

    /// <summary>Runs <paramref name="action"/> in the consumer's execution context rather than the writer's.</summary>
    public Task RunInOwnContext(Func<Task> action)
    {
        if (ExecutionContext is null)
            return action();
        Task? task = null;
        ExecutionContext.Run(ExecutionContext, _ => task = action(), null);
        return task!;
    }

    protected abstract Task RunCoreAsync(DbContext db, TSaga? instance, DeferredStatements deferred);
}
