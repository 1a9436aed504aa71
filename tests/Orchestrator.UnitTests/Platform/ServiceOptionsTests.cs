using Orchestrator.Platform.Configuration;

namespace Orchestrator.UnitTests.Platform;

public sealed class ServiceOptionsTests
{
    [Theory]
    [InlineData(null, null, 7 * 24 * 3600)]
    [InlineData(null, 3600, 3600)]
    [InlineData(120, 3600, 120)]
    [InlineData(999_999_999, 3600, 7 * 24 * 3600)]
    public void Effective_timeout_is_the_jobs_own_else_the_default_and_never_over_the_maximum(int? requested, int? defaultSeconds, int expectedSeconds)
    {
        var service = new ServiceOptions { Timeout = defaultSeconds is { } d ? TimeSpan.FromSeconds(d) : null };

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), service.EffectiveTimeout(requested));
    }

    [Fact]
    public void Share_is_the_users_own_then_their_groups_then_the_default()
    {
        var service = new ServiceOptions
        {
            DefaultShare = 1,
            Shares = { ["7"] = 3 },
            Groups = { ["lab"] = new ShareGroupOptions { Share = 2, Users = [7, 8] } },
        };

        Assert.Equal(3, service.ShareOf(7));
        Assert.Equal(2, service.ShareOf(8));
        Assert.Equal(1, service.ShareOf(9));
    }

    [Theory]
    [InlineData(2, 10)]
    [InlineData(3, 20)]
    [InlineData(4, 40)]
    [InlineData(20, 600)]
    public void Retry_delay_doubles_from_the_second_attempt_and_is_capped(int nextAttempt, int expectedSeconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), new RetryOptions().DelayBefore(nextAttempt));
    }
}
