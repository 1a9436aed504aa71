namespace Orchestrator.Contracts;

/// <summary>Queue names shared by the services, so a sender and its consumer cannot drift apart.</summary>
public static class QueueNames
{
    /// <summary>The scheduler's saga queue: every job lifecycle event lands here.</summary>
    public const string JobLifecycle = "job-lifecycle";

    /// <summary>The durable message scheduler's queue (<c>ScheduleMessage</c>, <c>CancelScheduledMessage</c>).</summary>
    public const string MessageScheduler = "message-scheduler";

    public const string Janitor = "janitor";

    /// <summary>The queue an executor for <paramref name="destination"/> consumes <see cref="RunJob"/> from.</summary>
    public static string Executor(string destination) => $"executor-{destination}";

    public static Uri Address(string queue) => new($"queue:{queue}");
}
