namespace Orchestrator.Api.Jobs;

/// <summary>The upload cannot become a job; <see cref="StatusCode"/> and the message say why to the client.</summary>
public sealed class UploadRejectedException(int statusCode, string title, string detail) : Exception(detail)
{
    public int StatusCode { get; } = statusCode;

    public string Title { get; } = title;
}
