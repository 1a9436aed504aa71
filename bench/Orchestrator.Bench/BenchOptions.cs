using System.Globalization;

namespace Orchestrator.Bench;

/// <summary>Command-line options of both modes; <c>--name value</c> pairs, unknown names are an error.</summary>
public sealed class BenchOptions
{
    public string Mode { get; set; } = "run";

    public string Phase { get; set; } = "";

    public Uri Api { get; set; } = new("http://127.0.0.1:5000");

    public int Jobs { get; set; } = 1000;

    /// <summary>
    /// Jobs run to the end before the measured ones and left out of every figure: the first jobs after a start run
    /// while the services' code is still being compiled, at about twice the CPU per job.
    /// </summary>
    public int Warmup { get; set; }

    /// <summary>
    /// Run ANALYZE on the Orchestrator's database (<see cref="Pg"/>) after the warm-up. On a fresh database the
    /// services' prepared statements are planned for empty tables and scan them whole until autovacuum first
    /// analyzes them, which can be a minute or more later: longer than a short benchmark.
    /// </summary>
    public bool Analyze { get; set; }

    public int Concurrency { get; set; } = 16;

    /// <summary>Offered submissions per second; 0 submits as fast as the concurrency allows.</summary>
    public double Rate { get; set; }

    public int Users { get; set; } = 1;

    public string Service { get; set; } = "generic";

    /// <summary>Parallel status requests while waiting for jobs to finish.</summary>
    public int PollConcurrency { get; set; } = 4;

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The whole run gives up after this long (submissions plus waiting).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(10);

    public string Pg { get; set; } = "Host=127.0.0.1;Port=5432;Database=orchestrator;Username=orchestrator;Password=orchestrator";

    /// <summary>Backlog drain: the first job number of the backlog (printed by the fill phase).</summary>
    public long FromJob { get; set; }

    public long ToJob { get; set; }

    public static string Usage =>
        """
        Orchestrator.Bench: no-op jobs through the HTTP API of a running Orchestrator.

        dotnet run -c Release --project bench/Orchestrator.Bench -- [run] [options]
            Submits --jobs no-op jobs (run.sh is `true`), waits for each to finish, prints throughput and latencies.
        dotnet run -c Release --project bench/Orchestrator.Bench -- backlog fill [options]
            Submits --jobs jobs and waits until the scheduler holds them all queued (start the system with
            Orchestrator__Destinations__local__Capacity=0 so nothing is dispatched). Prints the job number range.
        dotnet run -c Release --project bench/Orchestrator.Bench -- backlog drain --from-job A --to-job B [options]
            After the operator restarted the system with capacity, watches the backlog drain and prints the dispatch
            and completion rates, from the services' own timestamps in PostgreSQL.

        Options:
          --api URL              Api base address (default http://127.0.0.1:5000)
          --jobs N               jobs to submit (default 1000)
          --warmup W             run W jobs the same way first, left out of every figure (default 0)
          --analyze true         after the warm-up, ANALYZE the Orchestrator database (--pg) as autovacuum would
                                 a minute or so later (default false)
          --concurrency C        submissions in flight at once (default 16)
          --rate R               offered submissions per second, 0 = as fast as possible (default 0)
          --users U              spread jobs over user ids 1..U (default 1)
          --service NAME         service to submit to (default generic)
          --poll-concurrency P   status requests in flight while waiting (default 4)
          --poll-interval MS     pause between status sweeps when nothing finished (default 250)
          --timeout S            give up after S seconds (default 600)
          --pg CONN              PostgreSQL connection string of the Orchestrator database (backlog mode)
          --from-job A, --to-job B   job number range of the backlog (backlog drain)
        """;

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        var i = 0;
        if (i < args.Length && !args[i].StartsWith("--", StringComparison.Ordinal))
            options.Mode = args[i++];
        if (options.Mode == "backlog")
        {
            if (i >= args.Length || args[i].StartsWith("--", StringComparison.Ordinal))
                throw new ArgumentException("backlog needs a phase: fill or drain");
            options.Phase = args[i++];
            if (options.Phase is not ("fill" or "drain"))
                throw new ArgumentException($"unknown backlog phase '{options.Phase}' (fill or drain)");
        }
        else if (options.Mode != "run")
        {
            throw new ArgumentException($"unknown mode '{options.Mode}' (run or backlog)");
        }

        for (; i < args.Length; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help")
                throw new HelpRequestedException();
            if (i + 1 >= args.Length)
                throw new ArgumentException($"{name} needs a value");
            var value = args[++i];
            switch (name)
            {
                case "--api": options.Api = new Uri(value); break;
                case "--jobs": options.Jobs = PositiveInt(name, value); break;
                case "--warmup": options.Warmup = PositiveInt(name, value); break;
                case "--analyze": options.Analyze = bool.Parse(value); break;
                case "--concurrency": options.Concurrency = PositiveInt(name, value); break;
                case "--rate": options.Rate = double.Parse(value, CultureInfo.InvariantCulture); break;
                case "--users": options.Users = PositiveInt(name, value); break;
                case "--service": options.Service = value; break;
                case "--poll-concurrency": options.PollConcurrency = PositiveInt(name, value); break;
                case "--poll-interval": options.PollInterval = TimeSpan.FromMilliseconds(PositiveInt(name, value)); break;
                case "--timeout": options.Timeout = TimeSpan.FromSeconds(PositiveInt(name, value)); break;
                case "--pg": options.Pg = value; break;
                case "--from-job": options.FromJob = long.Parse(value, CultureInfo.InvariantCulture); break;
                case "--to-job": options.ToJob = long.Parse(value, CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"unknown option {name}");
            }
        }

        if (options.Rate < 0)
            throw new ArgumentException("--rate must be 0 or more");
        if (options is { Mode: "backlog", Phase: "drain" } && (options.FromJob <= 0 || options.ToJob < options.FromJob))
            throw new ArgumentException("backlog drain needs --from-job and --to-job (printed by backlog fill)");
        return options;
    }

    static int PositiveInt(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{name} must be a positive integer, not '{value}'");
}
