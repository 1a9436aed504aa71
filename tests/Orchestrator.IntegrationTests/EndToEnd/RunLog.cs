namespace Orchestrator.IntegrationTests.EndToEnd;

/// <summary>
/// A file outside every job's directory that job scripts stamp when they start and end, so tests can check what really
/// ran at once, not only what the services report.
/// </summary>
public sealed class RunLog : IDisposable
{
    readonly string _directory = Path.Combine(Path.GetTempPath(), $"orch-runlog-{Guid.NewGuid():N}");

    public RunLog()
    {
        Directory.CreateDirectory(_directory);
        File.WriteAllText(FilePath, string.Empty);
    }

    public string FilePath => Path.Combine(_directory, "runs.log");

    /// <summary>A script that records its start and end around <paramref name="body"/>, tagged with the user.</summary>
    public string Script(int userId, string body = "true") =>
        $"""
        tag="{userId} $ORCHESTRATOR_JOB_ID"
        flock {FilePath} -c "echo start $tag $(date +%s%N) >> {FilePath}"
        {body}
        flock {FilePath} -c "echo end $tag $(date +%s%N) >> {FilePath}"
        """;

    public IReadOnlyList<RunEvent> Read() =>
        File.ReadAllLines(FilePath)
            .Select(line => line.Split(' '))
            .Where(parts => parts.Length == 4)
            .Select(parts => new RunEvent(parts[0] == "start", int.Parse(parts[1]), parts[2], long.Parse(parts[3])))
            .ToList();

    /// <summary>The most runs in progress at once, overall and per user, replaying the log in time order.</summary>
    public (int Overall, int PerUser) MaxConcurrency()
    {
        int overall = 0, maxOverall = 0, maxPerUser = 0;
        var perUser = new Dictionary<int, int>();
        // Ends sort before starts at the same instant: a slot freed and retaken in the same nanosecond is not overlap.
        foreach (var e in Read().OrderBy(e => e.Nanoseconds).ThenBy(e => e.IsStart))
        {
            var delta = e.IsStart ? 1 : -1;
            overall += delta;
            perUser[e.UserId] = perUser.GetValueOrDefault(e.UserId) + delta;
            maxOverall = Math.Max(maxOverall, overall);
            maxPerUser = Math.Max(maxPerUser, perUser[e.UserId]);
        }

        return (maxOverall, maxPerUser);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
