namespace Orchestrator.Api.Security;

/// <summary>A key as the admin endpoints show it: never its secret or hash.</summary>
public sealed record ApiKeyView(long Id, string Name, string Role, int? UserId, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt)
{
    public static ApiKeyView From(ApiKeyRecord key) =>
        new(key.Id, key.Name, key.Role, key.UserId, key.Prefix, key.CreatedAt, key.RevokedAt);
}
