namespace Orchestrator.Agent.Payloads;

/// <summary>A <c>POST /submit</c> the agent refuses; becomes a ProblemDetails answer with <see cref="StatusCode"/>.</summary>
public sealed class SubmitRejectedException(int statusCode, string title, string detail) : Exception(detail)
{
    public int StatusCode { get; } = statusCode;

    public string Title { get; } = title;
}
