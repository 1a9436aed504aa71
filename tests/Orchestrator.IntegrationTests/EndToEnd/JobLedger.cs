namespace Orchestrator.IntegrationTests.EndToEnd;

/// <summary>
/// A file outside every job's directory that job scripts append <c>start</c> and <c>end</c> lines to, so a test sees
/// how often, and how concurrently, each job really ran, whatever the services report. Also holds signal files a
/// script can wait for, so a test decides when a job may finish.
/// </summary>
public sealed class JobLedger : IDisposable
{
    readonly string _directory = Path.Combine(Path.GetTempPath(), $"orch-ledger-{Guid.NewGuid():N}");

    public JobLedger()
    {
        Directory.CreateDirectory(_directory);
        FilePath = Path.Combine(_directory, "ledger.log");
    }

    public string FilePath { get; }

    /// <summary>Script lines appending one line each; a single short append is one write, so lines never mix.</summary>
    public string Start(string token) => $"echo \"start {token} $(date +%s.%N)\" >> '{FilePath}'\n";

    public string End(string token) => $"echo \"end {token} $(date +%s.%N)\" >> '{FilePath}'\n";

    /// <summary>Script lines waiting, at most a minute so a failed test leaves no job behind for long, for a signal.</summary>
    public string WaitFor(string signal) =>
        $"for i in $(seq 1 600); do [ -e '{SignalPath(signal)}' ] && break; sleep 0.1; done\n";

    /// <summary>Script lines running <paramref name="lines"/> only in the first run that gets here, of all runs of all jobs.</summary>
    public string OnFirstRunOnly(string token, string lines) =>
        $"if mkdir '{Path.Combine(_directory, $"first-{token}")}' 2>/dev/null; then\n{lines}fi\n";

    public void Signal(string signal) => File.WriteAllText(SignalPath(signal), string.Empty);

    public IReadOnlyList<(string Kind, string Token)> Entries() =>
        File.Exists(FilePath)
            ? File.ReadAllLines(FilePath).Select(l => l.Split(' ')).Select(p => (p[0], p[1])).ToList()
            : [];

    public int Starts(string token) => Entries().Count(e => e is ("start", var t) && t == token);

    public int Ends(string token) => Entries().Count(e => e is ("end", var t) && t == token);

    /// <summary>Most jobs between their start and end lines at any one time, in the order the lines were written.</summary>
    public int MaxConcurrent()
    {
        int running = 0, most = 0;
        foreach (var (kind, _) in Entries())
        {
            running += kind == "start" ? 1 : -1;
            most = Math.Max(most, running);
        }

        return most;
    }

    /// <summary>Tokens that started again before their earlier start had ended: the same job running twice at once.</summary>
    public IReadOnlyList<string> ConcurrentDuplicates()
    {
        var open = new Dictionary<string, int>();
        var duplicates = new List<string>();
        foreach (var (kind, token) in Entries())
        {
            open.TryGetValue(token, out var count);
            if (kind == "start" && count > 0)
                duplicates.Add(token);
            open[token] = kind == "start" ? count + 1 : count - 1;
        }

        return duplicates;
    }

    public string Contents => File.Exists(FilePath) ? File.ReadAllText(FilePath) : "(empty)";

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

    string SignalPath(string signal) => Path.Combine(_directory, $"signal-{signal}");
}
