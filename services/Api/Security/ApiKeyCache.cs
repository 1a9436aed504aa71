using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Orchestrator.Api.Jobs;

namespace Orchestrator.Api.Security;

/// <summary>
/// What this instance last read about API keys, so that most requests cost no key query in PostgreSQL: reading the
/// keys on every request was a tenth of the Api's CPU under load. Every answer comes from a read that started at
/// most <see cref="ApiOptions.KeyCacheDuration"/> before the request (or is still running when it arrives), so a
/// change made elsewhere, by another instance or the <c>keys</c> command, holds here within that time. This
/// instance's own changes hold at once.
/// </summary>
/// <remarks>
/// Whether any key was ever created only goes from no to yes, since keys are revoked, never deleted: once a key is
/// seen, that is remembered for good and an anonymous request costs nothing. A key is remembered only once found,
/// so a key just created anywhere is accepted everywhere at once.
/// </remarks>
public sealed class ApiKeyCache(IOptions<ApiOptions> options, TimeProvider clock)
{
    /// <summary>A read time meaning "never read"; the clock's timestamps are positive.</summary>
    const long Never = 0;

    readonly ConcurrentDictionary<string, (ApiKeyRecord Key, long ReadAt)> _keys = new(StringComparer.Ordinal);
    readonly Lock _gate = new();
    volatile bool _keyCreated;
    long _noKeySeenAt = Never;
    Task<bool>? _reading;

    /// <summary>
    /// Whether any key was ever created, revoked ones included. <paramref name="read"/> asks the database when the
    /// last answer is too old; concurrent callers share one read.
    /// </summary>
    public ValueTask<bool> AnyKeyCreatedAsync(Func<Task<bool>> read)
    {
        if (_keyCreated)
            return ValueTask.FromResult(true);
        if (IsFresh(Interlocked.Read(ref _noKeySeenAt)))
            return ValueTask.FromResult(false);
        Task<bool> reading;
        lock (_gate)
        {
            if (_reading is not { IsCompleted: false })
                _reading = ReadAnyKeyAsync(read);
            reading = _reading;
        }

        return new ValueTask<bool>(reading);
    }

    /// <summary>
    /// The key whose public prefix is <paramref name="prefix"/>, revoked or not, or null when there is none.
    /// <paramref name="read"/> asks the database when the key is not known or was read too long ago.
    /// </summary>
    public async ValueTask<ApiKeyRecord?> FindAsync(string prefix, Func<Task<ApiKeyRecord?>> read)
    {
        if (_keys.TryGetValue(prefix, out var known) && IsFresh(known.ReadAt))
            return known.Key;
        var readAt = clock.GetTimestamp();
        var key = await read();
        if (key is not null)
            Remember(key, readAt);
        return key;
    }

    /// <summary>This instance created a key: anonymous requests are refused from now on.</summary>
    public void KeyCreated() => _keyCreated = true;

    /// <summary>This instance revoked <paramref name="key"/>: it is refused from now on, whatever reads were under way.</summary>
    public void KeyRevoked(ApiKeyRecord key)
    {
        _keyCreated = true;
        Remember(key, clock.GetTimestamp());
    }

    async Task<bool> ReadAnyKeyAsync(Func<Task<bool>> read)
    {
        var readAt = clock.GetTimestamp();
        var any = await read();
        if (any)
            _keyCreated = true;
        else
            Interlocked.Exchange(ref _noKeySeenAt, readAt);
        return any;
    }

    /// <summary>
    /// Keeps the later of two reads of a key, so that a read which started before a revocation here cannot bring the
    /// key back; on a tie the one already kept stays, since a revocation is stamped after its commit. The record is
    /// shared by every request that finds it and is never changed.
    /// </summary>
    void Remember(ApiKeyRecord key, long readAt) =>
        _keys.AddOrUpdate(key.Prefix, (key, readAt), (_, current) => current.ReadAt >= readAt ? current : (key, readAt));

    bool IsFresh(long readAt) => readAt != Never && clock.GetElapsedTime(readAt) < options.Value.KeyCacheDuration;
}
