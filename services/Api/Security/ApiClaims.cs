namespace Orchestrator.Api.Security;

/// <summary>The claims the API key handler issues.</summary>
public static class ApiClaims
{
    public const string KeyId = "orchestrator:key_id";
    public const string UserId = "orchestrator:user_id";
}
