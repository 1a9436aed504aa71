using Orchestrator.Platform.Messaging;

namespace Orchestrator.Scheduler.Dispatching;

/// <summary>Wakes the dispatcher when the queue or the slots changed (a NOTIFY arrived).</summary>
public sealed class DispatchSignal : WakeSignal;
