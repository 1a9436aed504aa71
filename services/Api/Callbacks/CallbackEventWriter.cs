using System.Text.Json;
using Orchestrator.Api.Jobs;
using Orchestrator.Api.Persistence;
using Orchestrator.Contracts;

namespace Orchestrator.Api.Callbacks;

/// <summary>Turns an applied state change into a pending CloudEvent delivery, when the job's callback asked for it.</summary>
public static class CallbackEventWriter
{
    public const string ContentType = "application/cloudevents+json; charset=utf-8";

    public static void Enqueue(ApiDbContext db, JobRecord job, JobStateChanged change)
    {
        if (job.CallbackUrl is null || CallbackEvents.For(change.State) is not { } name
            || !(job.CallbackEvents ?? [.. CallbackEvents.All]).Contains(name))
            return;

        var now = DateTimeOffset.UtcNow;
        db.CallbackDeliveries.Add(new CallbackDelivery
        {
            JobNumber = job.Number,
            Sequence = change.Sequence,
            Event = name,
            Service = job.Service,
            Url = job.CallbackUrl,
            Body = Serialize(job, change, name),
            State = CallbackDeliveryStates.Pending,
            CreatedAt = now,
            NextAttemptAt = now,
        });
    }

    /// <summary>A CloudEvents 1.0 event in structured JSON mode; its id stays the same across retries, for receivers to drop repeats.</summary>
    static string Serialize(JobRecord job, JobStateChanged change, string name)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("specversion", "1.0");
            json.WriteString("id", $"{job.JobId:N}-{change.Sequence}");
            json.WriteString("source", $"/v1/jobs/{Uri.EscapeDataString(job.PublicId)}");
            json.WriteString("type", CallbackEvents.TypeOf(name));
            json.WriteString("subject", job.PublicId);
            json.WriteString("time", change.ChangedAt.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteString("datacontenttype", "application/json");
            json.WriteStartObject("data");
            json.WriteString("id", job.PublicId);
            json.WriteNumber("number", job.Number);
            json.WriteString("jobId", job.JobId);
            json.WriteString("service", job.Service);
            json.WriteNumber("user", job.UserId);
            json.WriteString("event", name);
            json.WriteString("state", change.State);
            json.WriteNumber("attempt", change.Attempt);
            if (name == CallbackEvents.Exit)
            {
                if (change.ExitCode is { } code)
                    json.WriteNumber("exitCode", code);
                else
                    json.WriteNull("exitCode");
                json.WriteString("outcome", change.Outcome);
                json.WriteString("error", change.Error);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
