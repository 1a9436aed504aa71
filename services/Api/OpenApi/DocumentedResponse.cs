namespace Orchestrator.Api.OpenApi;

/// <summary>
/// One answer an endpoint gives: its status, what it means, and its body (a JSON type, or a media type with no
/// schema such as a zip). Problems are RFC 9457 <c>application/problem+json</c>.
/// </summary>
public sealed record DocumentedResponse(int Status, string Description, Type? Body = null, string? MediaType = null)
{
    public const string Json = "application/json";
    public const string ProblemJson = "application/problem+json";

    public static DocumentedResponse Ok<T>(int status, string description) => new(status, description, typeof(T), Json);

    public static DocumentedResponse Problem(int status, string description) =>
        new(status, description, typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), ProblemJson);

    public static DocumentedResponse Empty(int status, string description) => new(status, description);

    public static DocumentedResponse File(int status, string description, string mediaType) => new(status, description, null, mediaType);
}
