using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orchestrator.Platform.Hosting;
using Orchestrator.Platform.Messaging;

namespace Orchestrator.Platform.Sagas;

/// <summary>
/// Saga repository on EF Core + PostgreSQL. Each message is handled in a transaction that locks its instance row
/// (<c>SELECT … FOR UPDATE</c>), so two events of one saga never interleave; the instance, the inbox entry and the
/// messages the saga publishes commit together. Messages that arrive together share one transaction
/// (<see cref="SagaGroupCommit{TSaga,TDbContext}"/>). Two concurrent creations of one instance collide on the primary
/// key: the loser fails and its retry finds the instance.
/// </summary>
public sealed class PostgresSagaRepository<TSaga, TDbContext> : ISagaRepository<TSaga>
    where TSaga : class, ISaga
    where TDbContext : DbContext
{
    readonly SagaGroupCommit<TSaga, TDbContext> _commit;

    public PostgresSagaRepository(
        IServiceScopeFactory scopeFactory, IOptions<SagaBatchOptions>? options = null, OrchestratorMetrics? metrics = null)
    {
        _commit = new SagaGroupCommit<TSaga, TDbContext>(scopeFactory, options?.Value ?? new SagaBatchOptions(), metrics);
    }

    public void Probe(ProbeContext context) =>
        context.CreateScope("sagaRepository").Add("persistence", "postgresql");

    public Task Send<T>(ConsumeContext<T> context, ISagaPolicy<TSaga, T> policy, IPipe<SagaConsumeContext<TSaga, T>> next)
        where T : class
    {
        if (context.CorrelationId is not { } correlationId)
            throw new SagaException("The message carries no CorrelationId", typeof(TSaga), typeof(T));

        MessagingTelemetry.TagJob(correlationId);
        return _commit.SubmitAsync(new SagaMessageWork<TSaga, T>(correlationId, context, policy, next));
    }

    public Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<TSaga> query, ISagaPolicy<TSaga, T> policy, IPipe<SagaConsumeContext<TSaga, T>> next)
        where T : class =>
        throw new NotSupportedException($"{typeof(TSaga).Name} events must correlate by id.");
}
