namespace Orchestrator.Platform.Sagas;

/// <summary>How saga messages share transactions (configuration section <c>Sagas</c>).</summary>
public sealed class SagaBatchOptions
{
    public const string Section = "Sagas";

    /// <summary>Most messages one transaction handles.</summary>
    public int MaxBatchSize { get; set; } = 100;

    /// <summary>
    /// Transactions open at once. While they run, new messages gather for the next one; more than one lets the CPU
    /// work of one batch overlap another's round trips to PostgreSQL.
    /// </summary>
    public int Writers { get; set; } = 2;
}
