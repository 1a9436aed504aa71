using Orchestrator.Api.Security;

namespace Orchestrator.UnitTests.Api;

public sealed class ApiKeySecretTests
{
    [Fact]
    public void A_generated_key_has_its_prefix_and_matches_only_its_own_hash()
    {
        var (key, prefix, hash) = ApiKeySecret.Generate();
        var (other, _, otherHash) = ApiKeySecret.Generate();

        Assert.StartsWith($"orch_{prefix}_", key);
        Assert.Equal(prefix, ApiKeySecret.PrefixOf(key));
        Assert.Equal(64, hash.Length);
        Assert.DoesNotContain(key[18..], hash);
        Assert.True(ApiKeySecret.Matches(key, hash));
        Assert.False(ApiKeySecret.Matches(key, otherHash));
        Assert.False(ApiKeySecret.Matches(other, hash));
        Assert.False(ApiKeySecret.Matches(key[..^1] + (key[^1] == 'A' ? 'B' : 'A'), hash));
        Assert.NotEqual(key, other);
    }

    [Theory]
    [InlineData("")]
    [InlineData("orch_")]
    [InlineData("orch_0123456789ab")]
    [InlineData("orch_0123456789ab-secret")]
    [InlineData("orch_0123456789AB_secret")]
    [InlineData("orch_0123456789xz_secret")]
    [InlineData("key_0123456789ab_secret")]
    [InlineData("' OR 1=1 --")]
    public void A_malformed_key_has_no_prefix(string key)
    {
        Assert.Null(ApiKeySecret.PrefixOf(key));
    }

    [Fact]
    public void A_key_longer_than_any_issued_has_no_prefix()
    {
        Assert.Null(ApiKeySecret.PrefixOf("orch_0123456789ab_" + new string('a', 200)));
    }
}
