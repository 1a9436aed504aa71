using System.Text.Json.Serialization;

namespace Orchestrator.Executor.Destinations.Dirac;

/// <summary>DiracX's <c>TokenResponse</c> from <c>POST /api/auth/token</c> (RFC 6749 fields).</summary>
public sealed record DiracTokenResponse(
    [property: JsonPropertyName("access_token")] string? AccessToken,
    [property: JsonPropertyName("expires_in")] int ExpiresIn,
    [property: JsonPropertyName("token_type")] string? TokenType,
    [property: JsonPropertyName("refresh_token")] string? RefreshToken);
