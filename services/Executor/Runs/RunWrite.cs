using System.Diagnostics;
using MassTransit;
using Orchestrator.Contracts;
using Orchestrator.Platform.Messaging;

namespace Orchestrator.Executor.Runs;

/// <summary>
/// One change to a run's row, queued for <see cref="RunWriter"/>, and the caller waiting for it: its task ends when
/// the transaction holding the change committed, with whether the change applied (false when the row was already
/// past it, or gone).
/// </summary>
public sealed class RunWrite
{
    readonly TaskCompletionSource<bool> _committed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    RunWrite(RunWriteKind kind, RunRecord run, DateTimeOffset at)
    {
        Kind = kind;
        Run = run;
        At = at;
    }

    public RunWriteKind Kind { get; }

    public RunRecord Run { get; }

    /// <summary>When the change happened: the started or finished time it records, and its message's creation time.</summary>
    public DateTimeOffset At { get; }

    /// <summary>The state an <see cref="RunWriteKind.End"/> leaves the run in.</summary>
    public string? State { get; private init; }

    public int? ProcessId { get; private init; }

    public long? ProcessStartTicks { get; private init; }

    public int? ExitCode { get; private init; }

    public string? ExternalId { get; private init; }

    /// <summary>The outbox message committed with the change (Start and End only), serialised as the outbox stores it.</summary>
    public Guid MessageId { get; private init; }

    public string? MessageBody { get; private init; }

    /// <summary>
    /// Taken where the report is made, not in the writer, so the message continues the trace of the run that caused
    /// it.
    /// </summary>
    public string? TraceParent { get; private init; }

    public Task<bool> Committed => _committed.Task;

    public static RunWrite Accept(RunRecord run) => new(RunWriteKind.Accept, run, run.AcceptedAt);

    public static RunWrite Start(RunRecord run, int? processId, long? startTicks, JobStarted message) =>
        new(RunWriteKind.Start, run, message.StartedAt)
        {
            ProcessId = processId,
            ProcessStartTicks = startTicks,
            MessageId = NewId.NextGuid(),
            MessageBody = MessageBodySerializer.Serialize(message, typeof(JobStarted)),
            TraceParent = Activity.Current?.Id,
        };

    public static RunWrite End(RunRecord run, string state, JobFinished message) =>
        new(RunWriteKind.End, run, message.FinishedAt)
        {
            State = state,
            ExitCode = message.ExitCode,
            MessageId = NewId.NextGuid(),
            MessageBody = MessageBodySerializer.Serialize(message, typeof(JobFinished)),
            TraceParent = Activity.Current?.Id,
        };

    public static RunWrite Settle(RunRecord run) => new(RunWriteKind.Settle, run, DateTimeOffset.UtcNow);

    public static RunWrite SetExternalId(RunRecord run, string externalId) =>
        new(RunWriteKind.ExternalId, run, DateTimeOffset.UtcNow) { ExternalId = externalId };

    internal void Complete(bool applied) => _committed.TrySetResult(applied);

    internal void Fail(Exception exception) => _committed.TrySetException(exception);
}
