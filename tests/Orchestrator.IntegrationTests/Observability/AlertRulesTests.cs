using Orchestrator.IntegrationTests.Infrastructure;

namespace Orchestrator.IntegrationTests.Observability;

/// <summary>
/// The alert rules shipped in <c>deploy/prometheus/alerts.yml</c> load, and raise exactly the alerts their unit tests
/// (<c>alerts.test.yml</c>, run by promtool on synthetic series) expect. That the metrics they name are really exported
/// is checked against a live scrape in <see cref="PrometheusScrapeTests"/>.
/// </summary>
public sealed class AlertRulesTests
{
    static readonly string Directory = Path.Combine(RepositoryPaths.Root, "deploy", "prometheus");

    [Fact]
    public async Task The_alert_rules_load_and_fire_as_their_unit_tests_expect()
    {
        var (check, checkOutput) = await PromtoolAsync("check", "rules", Path.Combine(Directory, "alerts.yml"));
        Assert.True(check == 0, checkOutput);
        var (test, testOutput) = await PromtoolAsync("test", "rules", Path.Combine(Directory, "alerts.test.yml"));
        Assert.True(test == 0, testOutput);
        var (config, configOutput) = await PromtoolAsync("check", "config", Path.Combine(Directory, "prometheus.yml"));
        Assert.True(config == 0, configOutput);
    }

    [Fact]
    public async Task A_rule_that_no_longer_fires_when_it_should_fails_the_unit_tests()
    {
        // The same tests against rules whose wait threshold was doubled: promtool must report the missing alert.
        var scratch = Path.Combine(Path.GetTempPath(), $"alerts-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(scratch);
        try
        {
            var rules = await File.ReadAllTextAsync(Path.Combine(Directory, "alerts.yml"));
            Assert.Contains("orchestrator_queue_oldest_age_seconds) > 3600", rules);
            await File.WriteAllTextAsync(Path.Combine(scratch, "alerts.yml"), rules.Replace("orchestrator_queue_oldest_age_seconds) > 3600",
                "orchestrator_queue_oldest_age_seconds) > 7200", StringComparison.Ordinal));
            File.Copy(Path.Combine(Directory, "alerts.test.yml"), Path.Combine(scratch, "alerts.test.yml"));

            var (test, output) = await PromtoolAsync("test", "rules", Path.Combine(scratch, "alerts.test.yml"));
            Assert.NotEqual(0, test);
            Assert.Contains("OrchestratorJobsWaitingLong", output);
        }
        finally
        {
            System.IO.Directory.Delete(scratch, recursive: true);
        }
    }

    static async Task<(int ExitCode, string Output)> PromtoolAsync(params string[] arguments)
    {
        var (exitCode, output, error) = await ExternalProgram.RunAsync(await PrometheusServer.PromtoolAsync(), arguments, Timeout.InfiniteTimeSpan);
        return (exitCode, output + error);
    }
}
