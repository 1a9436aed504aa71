namespace Orchestrator.Api.Endpoints.V1;

/// <summary>One attempt at running the job: every retry after an infrastructure failure is one more.</summary>
/// <param name="Outcome">How the attempt's run ended (Exited, NotStarted, Lost, Cancelled, TimedOut), once it has.</param>
public sealed record V1AttemptView(
    int Attempt,
    string State,
    string? Destination,
    DateTimeOffset? DispatchedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? Outcome,
    int? ExitCode,
    string? Error);
