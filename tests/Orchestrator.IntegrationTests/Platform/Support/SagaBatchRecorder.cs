using System.Diagnostics.Metrics;
using Orchestrator.Platform.Hosting;

namespace Orchestrator.IntegrationTests.Platform.Support;

/// <summary>Listens to <c>orchestrator.saga.batch_size</c>: how many transactions the saga repository made, and how large.</summary>
public sealed class SagaBatchRecorder : IDisposable
{
    readonly MeterListener _listener = new();
    readonly object _gate = new();
    readonly List<int> _sizes = [];

    public SagaBatchRecorder()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == OrchestratorMetrics.MeterName && instrument.Name == "orchestrator.saga.batch_size")
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<int>((_, size, _, _) =>
        {
            lock (_gate)
                _sizes.Add(size);
        });
        _listener.Start();
    }

    public int Transactions
    {
        get
        {
            lock (_gate)
                return _sizes.Count;
        }
    }

    public int Messages
    {
        get
        {
            lock (_gate)
                return _sizes.Sum();
        }
    }

    public int Largest
    {
        get
        {
            lock (_gate)
                return _sizes.DefaultIfEmpty(0).Max();
        }
    }

    public void Dispose() => _listener.Dispose();
}
