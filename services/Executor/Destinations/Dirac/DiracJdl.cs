using System.Text;

namespace Orchestrator.Executor.Destinations.Dirac;

/// <summary>
/// Writes the JDL (a ClassAd) that runs the job's <c>run.sh</c> from its input sandbox with bash, so the script needs
/// no execute bit, and names its output and error files as the local destination does, so every destination's zip
/// looks the same.
/// </summary>
public static class DiracJdl
{
    public const string StdOutput = "stdout.log";
    public const string StdError = "stderr.log";

    public static string Write(DiracJobDescription job)
    {
        var jdl = new StringBuilder();
        Attribute(jdl, "JobName", Quote(job.JobName));
        if (!string.IsNullOrWhiteSpace(job.JobGroup))
            Attribute(jdl, "JobGroup", Quote(job.JobGroup));
        Attribute(jdl, "Executable", Quote("/bin/bash"));
        Attribute(jdl, "Arguments", Quote("run.sh"));
        Attribute(jdl, "StdOutput", Quote(StdOutput));
        Attribute(jdl, "StdError", Quote(StdError));
        Attribute(jdl, "InputSandbox", List([job.InputSandboxPfn]));
        Attribute(jdl, "OutputSandbox", List(new[] { StdOutput, StdError }.Concat(job.OutputSandbox).Distinct(StringComparer.Ordinal)));
        if (job.CpuTimeSeconds is { } seconds)
            Attribute(jdl, "CPUTime", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (job.Processors > 1)
            Attribute(jdl, "NumberOfProcessors", job.Processors.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (!string.IsNullOrWhiteSpace(job.Site))
            Attribute(jdl, "Site", Quote(job.Site));
        if (job.Environment.Count > 0)
            Attribute(jdl, "ExecutionEnvironment", List(job.Environment.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={v.Value}")));
        return $"[{Environment.NewLine}{jdl}]";
    }

    static void Attribute(StringBuilder jdl, string name, string value) =>
        jdl.Append("    ").Append(name).Append(" = ").Append(value).Append(';').Append(Environment.NewLine);

    static string List(IEnumerable<string> values) => "{" + string.Join(", ", values.Select(Quote)) + "}";

    /// <summary>A ClassAd string literal: backslashes and double quotes escaped; line breaks cannot appear in one.</summary>
    static string Quote(string value)
    {
        if (value.Contains('\n') || value.Contains('\r'))
            throw new ArgumentException($"A JDL value cannot hold a line break: '{value}'.", nameof(value));
        return "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
    }
}
