using Orchestrator.Executor.Destinations.Dirac;

namespace Orchestrator.UnitTests.Executor;

public sealed class DiracJdlTests
{
    static DiracJobDescription Job(int? cpuTime = null, int processors = 1, IReadOnlyDictionary<string, string>? environment = null,
        string? site = null) =>
        new("orchestrator-abc-1", "SB:SandboxSE|/S3/sandboxes/vo/group/user/sha256:00.tar.bz2", ["*"], cpuTime, processors,
            environment ?? new Dictionary<string, string>(), site, "orchestrator");

    [Fact]
    public void The_JDL_runs_run_sh_with_bash_from_the_input_sandbox()
    {
        var jdl = DiracJdl.Write(Job());

        Assert.StartsWith("[", jdl);
        Assert.EndsWith("]", jdl);
        Assert.Contains("Executable = \"/bin/bash\";", jdl);
        Assert.Contains("Arguments = \"run.sh\";", jdl);
        Assert.Contains("JobName = \"orchestrator-abc-1\";", jdl);
        Assert.Contains("JobGroup = \"orchestrator\";", jdl);
        Assert.Contains("InputSandbox = {\"SB:SandboxSE|/S3/sandboxes/vo/group/user/sha256:00.tar.bz2\"};", jdl);
    }

    [Fact]
    public void Standard_output_and_error_are_named_as_the_local_destination_names_them_and_sent_back()
    {
        var jdl = DiracJdl.Write(Job());

        Assert.Contains("StdOutput = \"stdout.log\";", jdl);
        Assert.Contains("StdError = \"stderr.log\";", jdl);
        Assert.Contains("OutputSandbox = {\"stdout.log\", \"stderr.log\", \"*\"};", jdl);
    }

    [Fact]
    public void The_time_limit_becomes_CPUTime_and_is_left_out_without_one()
    {
        Assert.Contains("CPUTime = 3600;", DiracJdl.Write(Job(cpuTime: 3600)));
        Assert.DoesNotContain("CPUTime", DiracJdl.Write(Job()));
    }

    [Fact]
    public void More_than_one_CPU_asks_for_processors()
    {
        Assert.Contains("NumberOfProcessors = 4;", DiracJdl.Write(Job(processors: 4)));
        Assert.DoesNotContain("NumberOfProcessors", DiracJdl.Write(Job()));
    }

    [Fact]
    public void Variables_and_site_are_passed_on_and_quotes_escaped()
    {
        var jdl = DiracJdl.Write(Job(environment: new Dictionary<string, string> { ["B"] = "two", ["A"] = "say \"hi\"" }, site: "LCG.CERN.cern"));

        Assert.Contains("ExecutionEnvironment = {\"A=say \\\"hi\\\"\", \"B=two\"};", jdl);
        Assert.Contains("Site = \"LCG.CERN.cern\";", jdl);
    }

    [Fact]
    public void A_value_with_a_line_break_is_refused_rather_than_breaking_the_JDL() =>
        Assert.Throws<ArgumentException>(() => DiracJdl.Write(Job(environment: new Dictionary<string, string> { ["A"] = "one\ntwo" })));
}
