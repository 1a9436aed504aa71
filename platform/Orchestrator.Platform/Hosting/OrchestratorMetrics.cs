using System.Diagnostics.Metrics;

namespace Orchestrator.Platform.Hosting;

/// <summary>The Orchestrator's own instruments (meter <c>Orchestrator</c>), shared by every service.</summary>
public sealed class OrchestratorMetrics
{
    public const string MeterName = "Orchestrator";

    readonly Counter<long> _submitted;
    readonly Counter<long> _finished;
    readonly Histogram<double> _queueWait;
    readonly Histogram<double> _runTime;
    readonly Histogram<int> _sagaBatch;

    public OrchestratorMetrics(IMeterFactory meterFactory)
    {
        Meter = meterFactory.Create(MeterName);
        _submitted = Meter.CreateCounter<long>("orchestrator.jobs.submitted", "{job}", "Jobs accepted by the Api, by service and the destination configured for it");
        _finished = Meter.CreateCounter<long>("orchestrator.jobs.finished", "{job}", "Jobs that reached a final state, by state");
        _queueWait = Meter.CreateHistogram<double>("orchestrator.jobs.queue_wait", "s", "Time from submission to dispatch");
        _runTime = Meter.CreateHistogram<double>("orchestrator.jobs.run_time", "s", "Time from start to end of a run");
        _sagaBatch = Meter.CreateHistogram<int>("orchestrator.saga.batch_size", "{message}", "Saga messages handled in one transaction",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 5, 10, 20, 50, 100, 200] });
        Meter.CreateObservableGauge("orchestrator.outbox.backlog", () => OutboxBacklog, "{message}", "Outbox messages not yet delivered");
    }

    public Meter Meter { get; }

    /// <summary>Undelivered outbox messages of this service, as last counted.</summary>
    public long OutboxBacklog { get; set; }

    public void Submitted(string service, string? destination) =>
        _submitted.Add(1,
            new KeyValuePair<string, object?>("service", service),
            new KeyValuePair<string, object?>("destination", destination ?? "none"));

    public void Finished(string service, string? destination, string state) =>
        _finished.Add(1,
            new KeyValuePair<string, object?>("service", service),
            new KeyValuePair<string, object?>("destination", destination ?? "none"),
            new KeyValuePair<string, object?>("state", state));

    public void QueueWait(string service, TimeSpan wait) =>
        _queueWait.Record(wait.TotalSeconds, new KeyValuePair<string, object?>("service", service));

    public void RunTime(string service, string? destination, TimeSpan run) =>
        _runTime.Record(run.TotalSeconds,
            new KeyValuePair<string, object?>("service", service),
            new KeyValuePair<string, object?>("destination", destination ?? "none"));

    public void SagaBatch(string saga, int messages) =>
        _sagaBatch.Record(messages, new KeyValuePair<string, object?>("saga", saga));
}
