namespace Orchestrator.Api.Security;

/// <summary>The body of <c>POST /admin/keys</c>.</summary>
public sealed record CreateApiKeyRequest(string? Name, string? Role, int? UserId);
