using Npgsql;
using Orchestrator.Platform.Persistence;

namespace Orchestrator.UnitTests.Platform;

public sealed class ConnectionDefaultsTests
{
    const string Plain = "Host=127.0.0.1;Database=orchestrator;Username=orchestrator";

    [Fact]
    public void A_connection_string_without_settings_prepares_statements_and_skips_the_reset()
    {
        var defaults = new NpgsqlConnectionStringBuilder(PersistenceRegistration.WithConnectionDefaults(Plain));

        Assert.Equal(PersistenceRegistration.DefaultMaxAutoPrepare, defaults.MaxAutoPrepare);
        Assert.True(defaults.NoResetOnClose);
        Assert.True(defaults.Pooling);
        Assert.Equal("orchestrator", defaults.Database);
    }

    [Theory]
    [InlineData("Max Auto Prepare=0", 0)]
    [InlineData("Max Auto Prepare=7", 7)]
    [InlineData("MaxAutoPrepare=12", 12)]
    public void The_operators_own_preparation_setting_is_kept(string setting, int expected)
    {
        var defaults = new NpgsqlConnectionStringBuilder(PersistenceRegistration.WithConnectionDefaults($"{Plain};{setting}"));

        Assert.Equal(expected, defaults.MaxAutoPrepare);
    }

    [Theory]
    [InlineData("No Reset On Close=false")]
    [InlineData("NoResetOnClose=False")]
    public void The_operators_own_reset_setting_is_kept(string setting)
    {
        var defaults = new NpgsqlConnectionStringBuilder(PersistenceRegistration.WithConnectionDefaults($"{Plain};{setting}"));

        Assert.False(defaults.NoResetOnClose);
    }

    [Fact]
    public void A_connection_that_holds_session_state_stays_out_of_the_pool()
    {
        var unpooled = new NpgsqlConnectionStringBuilder(PersistenceRegistration.Unpooled(PersistenceRegistration.WithConnectionDefaults(Plain)));

        Assert.False(unpooled.Pooling);
        Assert.Equal("orchestrator", unpooled.Database);
    }
}
