using Microsoft.Extensions.Options;
using Orchestrator.Api.Jobs;
using Orchestrator.Api.Security;

namespace Orchestrator.UnitTests.Api;

/// <summary>
/// How long an Api instance goes by what it read about keys: never longer than <c>Api:KeyCacheDuration</c> after the
/// read began, and not at all past its own changes.
/// </summary>
public sealed class ApiKeyCacheTests
{
    static readonly TimeSpan Duration = TimeSpan.FromSeconds(1);
    readonly ManualClock _clock = new();
    readonly ApiKeyCache _cache;
    int _reads;

    public ApiKeyCacheTests() =>
        _cache = new ApiKeyCache(Options.Create(new ApiOptions { KeyCacheDuration = Duration }), _clock);

    static ApiKeyRecord Key(string prefix, DateTimeOffset? revokedAt = null) =>
        new() { Id = 1, Prefix = prefix, Hash = new string('0', 64), Name = "portal", Role = ApiRoles.Portal, RevokedAt = revokedAt };

    Func<Task<T>> Read<T>(T value) => () =>
    {
        _reads++;
        return Task.FromResult(value);
    };

    [Fact]
    public async Task That_no_key_exists_is_believed_for_less_than_the_cache_duration()
    {
        Assert.False(await _cache.AnyKeyCreatedAsync(Read(false)));
        _clock.Advance(Duration - TimeSpan.FromTicks(1));
        Assert.False(await _cache.AnyKeyCreatedAsync(Read(true)));
        Assert.Equal(1, _reads);

        _clock.Advance(TimeSpan.FromTicks(1));
        Assert.True(await _cache.AnyKeyCreatedAsync(Read(true)));
        Assert.Equal(2, _reads);
    }

    [Fact]
    public async Task Once_a_key_is_seen_anonymous_requests_read_nothing_again()
    {
        Assert.True(await _cache.AnyKeyCreatedAsync(Read(true)));
        _clock.Advance(TimeSpan.FromDays(30));
        Assert.True(await _cache.AnyKeyCreatedAsync(Read(false)));
        Assert.Equal(1, _reads);
    }

    [Fact]
    public async Task A_key_created_here_ends_anonymous_access_at_once()
    {
        Assert.False(await _cache.AnyKeyCreatedAsync(Read(false)));
        _cache.KeyCreated();
        Assert.True(await _cache.AnyKeyCreatedAsync(Read(false)));
        Assert.Equal(1, _reads);
    }

    [Fact]
    public async Task Concurrent_anonymous_requests_share_one_read()
    {
        var gate = new TaskCompletionSource<bool>();
        var first = _cache.AnyKeyCreatedAsync(() =>
        {
            _reads++;
            return gate.Task;
        });
        var second = _cache.AnyKeyCreatedAsync(Read(true));

        gate.SetResult(false);
        Assert.False(await first);
        Assert.False(await second);
        Assert.Equal(1, _reads);
    }

    [Fact]
    public async Task A_found_key_is_read_again_once_the_cache_duration_has_passed()
    {
        var key = Key("aaaaaaaaaaaa");
        Assert.Same(key, await _cache.FindAsync(key.Prefix, Read<ApiKeyRecord?>(key)));
        _clock.Advance(Duration - TimeSpan.FromTicks(1));
        Assert.Same(key, await _cache.FindAsync(key.Prefix, Read<ApiKeyRecord?>(null)));
        Assert.Equal(1, _reads);

        // Revoked elsewhere: the next read after the duration brings the revocation.
        var revoked = Key(key.Prefix, DateTimeOffset.UtcNow);
        _clock.Advance(TimeSpan.FromTicks(1));
        Assert.Same(revoked, await _cache.FindAsync(key.Prefix, Read<ApiKeyRecord?>(revoked)));
        Assert.Equal(2, _reads);
    }

    [Fact]
    public async Task An_unknown_key_is_looked_up_every_time_so_a_new_key_works_at_once()
    {
        Assert.Null(await _cache.FindAsync("bbbbbbbbbbbb", Read<ApiKeyRecord?>(null)));
        var created = Key("bbbbbbbbbbbb");
        Assert.Same(created, await _cache.FindAsync(created.Prefix, Read<ApiKeyRecord?>(created)));
        Assert.Equal(2, _reads);
    }

    [Fact]
    public async Task A_key_revoked_here_is_refused_at_once_even_against_a_read_begun_before()
    {
        var key = Key("cccccccccccc");
        await _cache.FindAsync(key.Prefix, Read<ApiKeyRecord?>(key));

        // A request read the key just before the revocation and finishes after it.
        var late = new TaskCompletionSource<ApiKeyRecord?>();
        _clock.Advance(Duration);
        var racing = _cache.FindAsync(key.Prefix, () => late.Task);
        var revoked = Key(key.Prefix, DateTimeOffset.UtcNow);
        _cache.KeyRevoked(revoked);
        late.SetResult(key);
        Assert.Same(key, await racing);

        Assert.Same(revoked, await _cache.FindAsync(key.Prefix, Read<ApiKeyRecord?>(key)));
        Assert.Equal(1, _reads);
    }

    [Fact]
    public async Task A_zero_duration_reads_on_every_request()
    {
        var cache = new ApiKeyCache(Options.Create(new ApiOptions { KeyCacheDuration = TimeSpan.Zero }), _clock);
        var key = Key("dddddddddddd");
        await cache.FindAsync(key.Prefix, Read<ApiKeyRecord?>(key));
        await cache.FindAsync(key.Prefix, Read<ApiKeyRecord?>(key));
        Assert.False(await cache.AnyKeyCreatedAsync(Read(false)));
        Assert.False(await cache.AnyKeyCreatedAsync(Read(false)));
        Assert.Equal(4, _reads);
    }
}
