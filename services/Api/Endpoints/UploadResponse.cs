using System.Text.Json.Serialization;

namespace Orchestrator.Api.Endpoints;

/// <summary>The body of <c>201</c> from <c>POST /upload</c>, shaped like the WeNMR orchestrator's job JSON.</summary>
public sealed record UploadResponse(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("user_id")] int UserId,
    [property: JsonPropertyName("service")] string Service,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("loc")] string Loc,
    [property: JsonPropertyName("dest_id")] string DestId);
