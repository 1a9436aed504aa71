using System.Diagnostics;

namespace Orchestrator.Platform.Messaging;

/// <summary>Activity source for outbox and scheduler deliveries, which continue the trace of the writer.</summary>
public static class MessagingTelemetry
{
    public const string SourceName = "Orchestrator.Messaging";

    public static readonly ActivitySource Source = new(SourceName);

    public static Activity? StartDelivery(string name, string? traceParent) =>
        traceParent is not null && ActivityContext.TryParse(traceParent, null, out var parent)
            ? Source.StartActivity(name, ActivityKind.Producer, parent)
            : Source.StartActivity(name, ActivityKind.Producer);

    /// <summary>Marks the current span with the job it works on, so a job's spans can be found by its id.</summary>
    public static void TagJob(Guid jobId) => Activity.Current?.SetTag("orchestrator.job_id", jobId.ToString());
}
