using System.Diagnostics;

namespace Orchestrator.Platform.Messaging;

/// <summary>Activity source for outbox and scheduler deliveries, which continue the trace of the writer.</summary>
public static class MessagingTelemetry
{
    public const string SourceName = "Orchestrator.Messaging";

    /// <summary>The span attribute (and log scope entry) that names the job a span or log line belongs to.</summary>
    public const string JobIdAttribute = "orchestrator.job_id";

    public static readonly ActivitySource Source = new(SourceName);

    public static Activity? StartDelivery(string name, string? traceParent) =>
        traceParent is not null && ActivityContext.TryParse(traceParent, null, out var parent)
            ? Source.StartActivity(name, ActivityKind.Producer, parent)
            : Source.StartActivity(name, ActivityKind.Producer);

    /// <summary>
    /// Marks the current span with the job it works on, so a job's spans can be found by its id. The id also goes
    /// into the span's baggage, which the logging set-up turns into a scope entry: every log line written from here
    /// on, in this span or its children, names the job.
    /// </summary>
    public static void TagJob(Guid jobId)
    {
        if (Activity.Current is not { } activity)
            return;
        var id = jobId.ToString();
        activity.SetTag(JobIdAttribute, id);
        activity.SetBaggage(JobIdAttribute, id);
    }

    /// <summary>
    /// A span of the job's own work outside any message or request (an executor's run), in the trace of whatever
    /// started it.
    /// </summary>
    public static Activity? StartJobSpan(string name, Guid jobId, int? attempt = null)
    {
        var activity = Source.StartActivity(name, ActivityKind.Internal);
        if (activity is null)
            return null;
        TagJob(jobId);
        if (attempt is { } value)
            activity.SetTag("orchestrator.attempt", value);
        return activity;
    }
}
