using Orchestrator.Executor.Destinations.Slurm;
using Orchestrator.Executor.Runs;
using Orchestrator.Platform.Configuration;

namespace Orchestrator.UnitTests.Executor.Slurm;

public sealed class SlurmJobScriptTests
{
    static RunRecord Run(string directory = "/srv/jobs/a1", int? timeout = 3600, string? environment = null) => new()
    {
        JobId = Guid.Parse("6f1c1b1e-0000-4000-8000-000000000002"),
        Attempt = 2,
        InstanceId = "test",
        Service = "haddock",
        UserId = 1,
        Directory = directory,
        State = RunStates.Accepted,
        TimeoutSeconds = timeout,
        Environment = environment,
    };

    [Theory]
    [InlineData(1, 1)]
    [InlineData(60, 1)]
    [InlineData(61, 2)]
    [InlineData(3600, 60)]
    public void Wall_time_is_rounded_up_to_whole_minutes(int seconds, int minutes) =>
        Assert.Equal(minutes, SlurmJobScript.WallTimeMinutes(seconds));

    [Fact]
    public void The_script_asks_for_the_service_resources_partition_and_account_and_runs_run_sh()
    {
        var script = SlurmJobScript.Render(Run(), new ResourceOptions { Cpus = 4, MemoryMb = 2048, CpuTimeSeconds = 100 },
            new SlurmOptions { Partition = "short", Account = "wenmr" });

        Assert.StartsWith("#!/bin/bash\n#SBATCH --job-name=orchestrator-6f1c1b1e-0000-4000-8000-000000000002-2\n", script);
        foreach (var line in new[]
                 {
                     "#SBATCH --chdir=/srv/jobs/a1", "#SBATCH --output=stdout.log", "#SBATCH --error=stderr.log",
                     "#SBATCH --export=NONE", "#SBATCH --cpus-per-task=4", "#SBATCH --mem=2048M", "#SBATCH --time=60",
                     "#SBATCH --partition=short", "#SBATCH --account=wenmr", "ulimit -t 100",
                     "export ORCHESTRATOR_JOB_ID=6f1c1b1e-0000-4000-8000-000000000002",
                 })
            Assert.Contains(line + "\n", script);
        Assert.EndsWith("cd '/srv/jobs/a1' || exit 1\nexec bash run.sh </dev/null\n", script);
    }

    [Fact]
    public void Without_limits_the_script_leaves_them_to_the_cluster()
    {
        var script = SlurmJobScript.Render(Run(timeout: null), new ResourceOptions(), new SlurmOptions());

        Assert.DoesNotContain("--time", script);
        Assert.DoesNotContain("--mem", script);
        Assert.DoesNotContain("--partition", script);
        Assert.DoesNotContain("--account", script);
        Assert.Contains("#SBATCH --cpus-per-task=1\n", script);
    }

    [Fact]
    public void The_job_variables_are_quoted_and_reserved_ones_dropped()
    {
        var script = SlurmJobScript.Render(Run(environment: """{"GREETING":"it's $HOME; rm -rf /","PATH":"/evil","ORCHESTRATOR_X":"1"}"""),
            new ResourceOptions(), new SlurmOptions());

        Assert.Contains("export GREETING='it'\\''s $HOME; rm -rf /'\n", script);
        Assert.DoesNotContain("/evil", script);
        Assert.DoesNotContain("ORCHESTRATOR_X", script);
    }

    [Theory]
    [InlineData("/srv/my jobs/a1")]
    [InlineData("/srv/jobs/%j")]
    [InlineData("relative/a1")]
    public void A_directory_an_sbatch_line_cannot_carry_is_refused(string directory)
    {
        var error = Assert.Throws<ArgumentException>(() => SlurmJobScript.Render(Run(directory), new ResourceOptions(), new SlurmOptions()));

        Assert.Contains(directory, error.Message);
    }
}
