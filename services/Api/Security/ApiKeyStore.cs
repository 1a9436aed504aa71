using Microsoft.EntityFrameworkCore;
using Orchestrator.Api.Jobs;
using Orchestrator.Api.Persistence;

namespace Orchestrator.Api.Security;

/// <summary>Creates, lists and revokes API keys, for the admin endpoints and the <c>keys</c> command alike.</summary>
public sealed class ApiKeyStore(ApiDbContext db, ApiKeyCache cache, ILogger<ApiKeyStore> logger)
{
    public const int MaxNameLength = 128;

    /// <summary>A new key; the returned key text is the only time it exists outside its holder.</summary>
    public async Task<(ApiKeyRecord Record, string Key)> CreateAsync(string? name, string? role, int? userId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > MaxNameLength || name.Any(char.IsControl))
            throw Invalid("Invalid name", $"A key needs a name of 1 to {MaxNameLength} printable characters.");
        if (role is null || !ApiRoles.All.Contains(role))
            throw Invalid("Invalid role", $"The role must be one of {string.Join(", ", ApiRoles.All)}.");
        if (role == ApiRoles.User && userId is not >= 0)
            throw Invalid("Missing user", "A user key must be bound to a user id (a non-negative integer).");
        if (role != ApiRoles.User && userId is not null)
            throw Invalid("Unexpected user", $"Only user keys are bound to a user id; a {role} key is not.");

        var (key, prefix, hash) = ApiKeySecret.Generate();
        var record = new ApiKeyRecord
        {
            Prefix = prefix,
            Hash = hash,
            Name = name.Trim(),
            Role = role,
            UserId = userId,
            CreatedAt = DateTimeOffset.UtcNow,
        };
        db.ApiKeys.Add(record);
        await db.SaveChangesAsync(cancellationToken);
        cache.KeyCreated();
        logger.LogInformation("API key {KeyId} ({Prefix}) created for {Name} with role {Role}", record.Id, prefix, record.Name, role);
        return (record, key);
    }

    public Task<List<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken) =>
        db.ApiKeys.AsNoTracking().OrderBy(k => k.Id).ToListAsync(cancellationToken);

    /// <summary>
    /// Revokes the key: this instance refuses it at once, others within <see cref="ApiOptions.KeyCacheDuration"/>.
    /// Null when there is no such key. Revoking twice is harmless.
    /// </summary>
    public async Task<ApiKeyRecord?> RevokeAsync(long id, CancellationToken cancellationToken)
    {
        var record = await db.ApiKeys.SingleOrDefaultAsync(k => k.Id == id, cancellationToken);
        if (record is null)
            return null;
        if (record.RevokedAt is null)
        {
            record.RevokedAt = DateTimeOffset.UtcNow;
            await db.SaveChangesAsync(cancellationToken);
            logger.LogInformation("API key {KeyId} ({Prefix}) of {Name} revoked", record.Id, record.Prefix, record.Name);
        }

        cache.KeyRevoked(record);
        return record;
    }

    static UploadRejectedException Invalid(string title, string detail) => new(StatusCodes.Status400BadRequest, title, detail);
}
