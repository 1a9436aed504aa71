namespace Orchestrator.Scheduler.Monitoring;

/// <summary>One dispatch the next pass would make: the oldest queued job of this user of this service.</summary>
public sealed record NextDispatchView(string Service, int UserId);
