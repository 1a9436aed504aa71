namespace Orchestrator.Api.Jobs;

/// <summary>The upload cannot become a job; <see cref="StatusCode"/> and the message say why to the client.</summary>
public sealed class UploadRejectedException(int statusCode, string title, string detail) : Exception(detail)
{
    public int StatusCode { get; } = statusCode;

    public string Title { get; } = title;

    /// <summary>Members added to the problem details, e.g. the rule and line of a refused script.</summary>
    public IDictionary<string, object?>? Extensions { get; init; }
}
