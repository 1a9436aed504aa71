namespace Orchestrator.Api.Endpoints.V1;

/// <summary>The body of <c>POST /v1/jobs</c>.</summary>
public sealed record V1JobRequest(
    string? Id,
    string? Service,
    int? User,
    IReadOnlyList<V1FileRequest>? Files,
    Dictionary<string, string>? Environment,
    int? TimeoutSeconds,
    V1CallbackRequest? Callback);
