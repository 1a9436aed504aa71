using System.Globalization;
using System.Text.RegularExpressions;

namespace Orchestrator.Executor.Destinations.Slurm;

/// <summary>Reads what <c>sbatch --parsable</c>, <c>squeue</c> and <c>sacct --parsable2</c> print.</summary>
public static partial class SlurmOutput
{
    /// <summary>The arguments of <c>squeue</c> matching <see cref="ParseQueue"/>.</summary>
    public static string[] QueueArguments(string jobId) => ["--noheader", $"--jobs={jobId}", "--format=%i:%T:%r"];

    /// <summary>The arguments of <c>sacct</c> matching <see cref="ParseAccounting"/>.</summary>
    public static string[] AccountingArguments(string jobId) =>
        ["--noheader", "--parsable2", "--allocations", $"--jobs={jobId}", "--format=JobID,State,ExitCode,Reason"];

    /// <summary>The job id of <c>sbatch --parsable</c>'s <c>id</c> or <c>id;cluster</c> line.</summary>
    public static string ParseSubmittedJobId(string output)
    {
        var line = Lines(output).LastOrDefault();
        var match = line is null ? null : SubmittedLine().Match(line);
        if (match is not { Success: true })
            throw new SlurmOutputException($"sbatch printed no job id (expected 'id' or 'id;cluster'): '{Shorten(output)}'.");
        return match.Groups["id"].Value;
    }

    /// <summary>The job's line of <c>squeue --format=%i:%T:%r</c>, or null when slurmctld no longer lists it.</summary>
    public static SlurmQueueEntry? ParseQueue(string output, string jobId)
    {
        foreach (var line in Lines(output))
        {
            // The reason may itself hold colons (ReqNodeNotAvail, UnavailableNodes:node1), so split twice only.
            var parts = line.Split(':', 3);
            if (parts.Length < 2 || !StateWord().IsMatch(parts[1]))
                throw new SlurmOutputException($"squeue printed a line that is not 'id:STATE:reason': '{Shorten(line)}'.");
            if (parts[0] != jobId)
                continue;
            return new SlurmQueueEntry(parts[1], parts.Length > 2 ? Reason(parts[2]) : null);
        }

        return null;
    }

    /// <summary>
    /// The allocation's line of <c>sacct --parsable2 --allocations --format=JobID,State,ExitCode,Reason</c>, or null
    /// when accounting holds no record of the job (yet).
    /// </summary>
    public static SlurmAccountingRecord? ParseAccounting(string output, string jobId)
    {
        foreach (var line in Lines(output))
        {
            var fields = line.Split('|');
            if (fields.Length < 3)
                throw new SlurmOutputException($"sacct printed a line that is not 'JobID|State|ExitCode|Reason': '{Shorten(line)}'.");
            if (fields[0] != jobId)
                continue;

            var state = fields[1].Trim();
            var space = state.IndexOf(' ');
            var word = space < 0 ? state : state[..space];
            if (!StateWord().IsMatch(word))
                throw new SlurmOutputException($"sacct printed a state that is not a Slurm state: '{Shorten(state)}'.");
            var exit = ExitCodeField().Match(fields[2].Trim());
            if (!exit.Success)
                throw new SlurmOutputException($"sacct printed an exit code that is not 'code:signal': '{Shorten(fields[2])}'.");
            return new SlurmAccountingRecord(word,
                int.Parse(exit.Groups["code"].Value, CultureInfo.InvariantCulture),
                int.Parse(exit.Groups["signal"].Value, CultureInfo.InvariantCulture),
                fields.Length > 3 ? Reason(fields[3]) : null,
                space < 0 ? null : state[(space + 1)..]);
        }

        return null;
    }

    /// <summary>The job ids of a <c>--format=%i</c> (squeue) or <c>--format=JobID</c> (sacct) listing.</summary>
    public static IReadOnlyList<string> ParseJobIds(string output)
    {
        var ids = new List<string>();
        foreach (var line in Lines(output))
        {
            if (!JobIdLine().IsMatch(line))
                throw new SlurmOutputException($"Slurm printed a line that is not a job id: '{Shorten(line)}'.");
            ids.Add(line);
        }

        return ids;
    }

    static string? Reason(string text)
    {
        var reason = text.Trim();
        return reason is "" or "None" or "(null)" ? null : reason;
    }

    static IEnumerable<string> Lines(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    static string Shorten(string text)
    {
        var trimmed = text.Trim().ReplaceLineEndings(" ");
        return trimmed.Length > 200 ? trimmed[..200] + "..." : trimmed;
    }

    [GeneratedRegex(@"^(?<id>[0-9]+)(;\S+)?$")]
    private static partial Regex SubmittedLine();

    [GeneratedRegex("^[0-9]+$")]
    private static partial Regex JobIdLine();

    [GeneratedRegex("^[A-Z][A-Z_]*\\+?$")]
    private static partial Regex StateWord();

    [GeneratedRegex("^(?<code>[0-9]+):(?<signal>[0-9]+)$")]
    private static partial Regex ExitCodeField();
}
