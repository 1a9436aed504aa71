namespace Orchestrator.Executor.Runs;

/// <summary>What a <see cref="RunWrite"/> does to a run's row; each kind is one set-based statement per batch.</summary>
public enum RunWriteKind
{
    /// <summary>Inserts the row unless the attempt was accepted before.</summary>
    Accept,

    /// <summary>Accepted → Running, with <c>JobStarted</c>.</summary>
    Start,

    /// <summary>Any open state → Finished or Abandoned, with <c>JobFinished</c>.</summary>
    End,

    /// <summary>Abandoned → Finished.</summary>
    Settle,

    /// <summary>Records the destination's id of the run.</summary>
    ExternalId,
}
