namespace Orchestrator.Api.Security;

/// <summary>
/// An API key (<c>api.api_keys</c>). Only the SHA-256 of the key is kept: the key itself is shown once, when it is
/// created. <see cref="Prefix"/> is the key's public part, by which a presented key finds its row.
/// </summary>
public sealed class ApiKeyRecord
{
    public long Id { get; set; }

    public required string Prefix { get; set; }

    /// <summary>Lower-case hex SHA-256 of the whole key.</summary>
    public required string Hash { get; set; }

    /// <summary>Who holds the key. A portal's keys share its name, so a new key sees the jobs of the one it replaces.</summary>
    public required string Name { get; set; }

    public required string Role { get; set; }

    /// <summary>The user a <see cref="ApiRoles.User"/> key is bound to.</summary>
    public int? UserId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }
}
