namespace Orchestrator.Scheduler.Dispatching;

/// <summary>A user with jobs in a service's queue, and how many (counted only up to what one pass could take).</summary>
public sealed record WaitingUser(string Service, int UserId, int Queued);
