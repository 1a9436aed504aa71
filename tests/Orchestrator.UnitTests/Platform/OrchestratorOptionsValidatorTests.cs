using Orchestrator.Platform.Configuration;

namespace Orchestrator.UnitTests.Platform;

public sealed class OrchestratorOptionsValidatorTests
{
    static OrchestratorOptions Valid() => new()
    {
        Services = { ["generic"] = new ServiceOptions { Destination = "local" } },
        Destinations = { ["local"] = new DestinationOptions { Kind = "local" } },
        Retention = TimeSpan.FromDays(10),
        Storage = new StorageOptions { JobsRoot = "/var/lib/orchestrator/jobs" },
    };

    static IReadOnlyList<string> Failures(OrchestratorOptions options)
    {
        var result = new OrchestratorOptionsValidator().Validate(null, options);
        Assert.True(result.Failed, "The configuration was accepted.");
        return result.Failures!.ToList();
    }

    [Fact]
    public void Valid_configuration_passes()
    {
        var result = new OrchestratorOptionsValidator().Validate(null, Valid());

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Defaults_with_a_service_and_destination_pass()
    {
        var options = new OrchestratorOptions
        {
            Services = { ["generic"] = new ServiceOptions() },
            Destinations = { ["local"] = new DestinationOptions() },
        };

        Assert.True(new OrchestratorOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void Unknown_destination_names_the_service_the_destination_and_the_known_ones()
    {
        var options = Valid();
        options.Services["gpu"] = new ServiceOptions { Destination = "cluster" };

        var failure = Assert.Single(Failures(options));

        Assert.Equal(
            "Orchestrator:Services:gpu:Destination names 'cluster', which is not among Orchestrator:Destinations (local).",
            failure);
    }

    [Fact]
    public void Empty_destination_of_a_service_is_reported()
    {
        var options = Valid();
        options.Services["generic"].Destination = " ";

        Assert.Equal("Orchestrator:Services:generic:Destination is empty.", Assert.Single(Failures(options)));
    }

    [Fact]
    public void Empty_services_are_reported_with_an_example()
    {
        var options = Valid();
        options.Services.Clear();

        var failure = Assert.Single(Failures(options));

        Assert.StartsWith("Orchestrator:Services is empty", failure);
        Assert.Contains("Orchestrator:Services:generic:Destination=local", failure);
    }

    [Fact]
    public void Empty_destinations_are_reported_along_with_the_service_that_needs_one()
    {
        var options = Valid();
        options.Destinations.Clear();

        var failures = Failures(options);

        Assert.Contains(failures, f => f.StartsWith("Orchestrator:Destinations is empty", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Orchestrator:Services:generic:Destination names 'local'", StringComparison.Ordinal));
        Assert.Equal(2, failures.Count);
    }

    [Fact]
    public void Unknown_destination_kind_lists_the_supported_kinds()
    {
        var options = Valid();
        options.Destinations["local"].Kind = "condor";

        Assert.Contains("slurm", DestinationOptions.Kinds);
        Assert.Equal(
            $"Orchestrator:Destinations:local:Kind is 'condor'; expected one of {string.Join(", ", DestinationOptions.Kinds)}.",
            Assert.Single(Failures(options)));
    }

    [Fact]
    public void A_jobd_destination_needs_agents_with_absolute_http_urls()
    {
        var options = Valid();
        options.Destinations["local"].Kind = "jobd";
        Assert.Equal(
            "Orchestrator:Destinations:local:Agents is empty: a jobd destination needs at least one agent URL (Agents:0=http://node1:9000).",
            Assert.Single(Failures(options)));

        options.Destinations["local"].Agents = ["http://node1:9000", "node2:9000", "ftp://node3"];
        Assert.Equal(
            new[]
            {
                "Orchestrator:Destinations:local:Agents has 'node2:9000', which is not an absolute http(s) URL.",
                "Orchestrator:Destinations:local:Agents has 'ftp://node3', which is not an absolute http(s) URL.",
            },
            Failures(options));
    }

    public static TheoryData<string, string> ServiceMistakes() => new()
    {
        { "MaxRuns=0", "Orchestrator:Services:generic:MaxRuns must be at least 1, not 0." },
        { "RunsPerUser=0", "Orchestrator:Services:generic:RunsPerUser must be at least 1, not 0." },
        { "MaxQueuedPerUser=0", "Orchestrator:Services:generic:MaxQueuedPerUser must be at least 1 when set, not 0." },
        { "Timeout=0", "Orchestrator:Services:generic: Timeout and MaxTimeout must be positive." },
        { "MaxTimeout=-1", "Orchestrator:Services:generic: Timeout and MaxTimeout must be positive." },
        { "Retry:MaxAttempts=0", "Orchestrator:Services:generic:Retry needs MaxAttempts >= 1 and 0 <= InitialDelay <= MaxDelay." },
        { "Retry:InitialDelay=-1", "Orchestrator:Services:generic:Retry needs MaxAttempts >= 1 and 0 <= InitialDelay <= MaxDelay." },
        { "Retry:MaxDelay<InitialDelay", "Orchestrator:Services:generic:Retry needs MaxAttempts >= 1 and 0 <= InitialDelay <= MaxDelay." },
        { "DefaultShare=0", "Orchestrator:Services:generic: fair-share weights (DefaultShare, Shares, Groups:*:Share) must be positive." },
        { "Shares:7=-1", "Orchestrator:Services:generic: fair-share weights (DefaultShare, Shares, Groups:*:Share) must be positive." },
        { "Groups:lab:Share=0", "Orchestrator:Services:generic: fair-share weights (DefaultShare, Shares, Groups:*:Share) must be positive." },
    };

    [Theory]
    [MemberData(nameof(ServiceMistakes))]
    public void Each_service_limit_is_checked_and_named(string mistake, string expected)
    {
        var options = Valid();
        var service = options.Services["generic"];
        switch (mistake)
        {
            case "MaxRuns=0": service.MaxRuns = 0; break;
            case "RunsPerUser=0": service.RunsPerUser = 0; break;
            case "MaxQueuedPerUser=0": service.MaxQueuedPerUser = 0; break;
            case "Timeout=0": service.Timeout = TimeSpan.Zero; break;
            case "MaxTimeout=-1": service.MaxTimeout = TimeSpan.FromSeconds(-1); break;
            case "Retry:MaxAttempts=0": service.Retry.MaxAttempts = 0; break;
            case "Retry:InitialDelay=-1": service.Retry.InitialDelay = TimeSpan.FromSeconds(-1); break;
            case "Retry:MaxDelay<InitialDelay": service.Retry.MaxDelay = service.Retry.InitialDelay - TimeSpan.FromSeconds(1); break;
            case "DefaultShare=0": service.DefaultShare = 0; break;
            case "Shares:7=-1": service.Shares["7"] = -1; break;
            default: service.Groups["lab"] = new ShareGroupOptions { Share = 0, Users = [1] }; break;
        }

        Assert.Equal(expected, Assert.Single(Failures(options)));
    }

    [Fact]
    public void Unlimited_queue_and_a_paused_destination_are_valid()
    {
        var options = Valid();
        options.Services["generic"].MaxQueuedPerUser = null;
        options.Destinations["local"].Capacity = 0;

        Assert.True(new OrchestratorOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void Negative_destination_capacity_is_reported()
    {
        var options = Valid();
        options.Destinations["local"].Capacity = -1;

        Assert.Equal(
            "Orchestrator:Destinations:local:Capacity must be 0 (paused) or more, not -1.",
            Assert.Single(Failures(options)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Non_positive_retention_is_reported_with_the_expected_format(int seconds)
    {
        var options = Valid();
        options.Retention = TimeSpan.FromSeconds(seconds);

        var failure = Assert.Single(Failures(options));

        Assert.Equal(
            $"Orchestrator:Retention must be positive (a TimeSpan such as 10.00:00:00), not {TimeSpan.FromSeconds(seconds)}.",
            failure);
    }

    [Theory]
    [InlineData("jobs")]
    [InlineData("./var/jobs")]
    [InlineData("")]
    [InlineData("   ")]
    public void Relative_or_missing_jobs_root_is_reported(string jobsRoot)
    {
        var options = Valid();
        options.Storage.JobsRoot = jobsRoot;

        Assert.Equal(
            $"Orchestrator:Storage:JobsRoot must be an absolute path, not '{jobsRoot}'.",
            Assert.Single(Failures(options)));
    }

    [Fact]
    public void Every_mistake_is_reported_at_once()
    {
        var options = new OrchestratorOptions
        {
            Retention = TimeSpan.Zero,
            Storage = new StorageOptions { JobsRoot = "relative" },
        };

        var failures = Failures(options);

        Assert.Equal(4, failures.Count);
        Assert.Contains(failures, f => f.StartsWith("Orchestrator:Services is empty", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Orchestrator:Destinations is empty", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Orchestrator:Retention must be positive", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Orchestrator:Storage:JobsRoot must be an absolute path", StringComparison.Ordinal));
    }
}
