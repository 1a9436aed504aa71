using Npgsql;
using Orchestrator.Platform.Persistence;

namespace Orchestrator.UnitTests.Platform;

public sealed class StatementPreparationTests
{
    const string Plain = "Host=127.0.0.1;Database=orchestrator;Username=orchestrator";

    [Fact]
    public void A_connection_string_without_a_setting_prepares_statements()
    {
        var prepared = new NpgsqlConnectionStringBuilder(PersistenceRegistration.WithStatementPreparation(Plain));

        Assert.Equal(PersistenceRegistration.DefaultMaxAutoPrepare, prepared.MaxAutoPrepare);
        Assert.Equal("orchestrator", prepared.Database);
    }

    [Theory]
    [InlineData("Max Auto Prepare=0", 0)]
    [InlineData("Max Auto Prepare=7", 7)]
    [InlineData("MaxAutoPrepare=12", 12)]
    public void The_operators_own_setting_is_kept(string setting, int expected)
    {
        var prepared = new NpgsqlConnectionStringBuilder(PersistenceRegistration.WithStatementPreparation($"{Plain};{setting}"));

        Assert.Equal(expected, prepared.MaxAutoPrepare);
    }
}
