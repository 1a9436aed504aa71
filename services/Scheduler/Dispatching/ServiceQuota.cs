namespace Orchestrator.Scheduler.Dispatching;

/// <summary>The limits the planner must respect for one service.</summary>
public sealed record ServiceQuota(string Destination, int MaxRuns, int RunsPerUser);
