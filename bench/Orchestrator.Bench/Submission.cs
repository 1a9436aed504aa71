namespace Orchestrator.Bench;

/// <summary>One accepted upload: the job number, when the request was sent and when its 201 arrived (client clock).</summary>
public sealed record Submission(long Number, DateTimeOffset SentAt, DateTimeOffset AcceptedAt);
