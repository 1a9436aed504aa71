using System.Globalization;

namespace Orchestrator.Bench.Hangfire;

/// <summary>Command-line options: <c>--name value</c> pairs.</summary>
public sealed class HangfireOptions
{
    /// <summary>A role that may create databases; the benchmark makes a throw-away one next to the Orchestrator's.</summary>
    public string Pg { get; set; } = "Host=127.0.0.1;Port=5432;Database=postgres;Username=orchestrator;Password=orchestrator";

    public int Jobs { get; set; } = 1000;

    /// <summary>Jobs run to the end first, then the database is analyzed; left out of every figure.</summary>
    public int Warmup { get; set; } = 50;

    /// <summary>Enqueuing tasks in flight at once.</summary>
    public int Concurrency { get; set; } = 16;

    /// <summary>Offered enqueues per second; 0 enqueues as fast as the concurrency allows.</summary>
    public double Rate { get; set; }

    /// <summary>Hangfire worker threads (the Orchestrator's counterpart is Executor:MaxConcurrentJobs).</summary>
    public int Workers { get; set; } = 16;

    /// <summary><c>noop</c>: an empty method; <c>process</c>: <c>bash run.sh</c> with run.sh = <c>true</c>, as the Orchestrator's executor runs a job.</summary>
    public string Work { get; set; } = "process";

    /// <summary>Hangfire.PostgreSql's queue poll interval; with long polling (NOTIFY) it is only the fallback.</summary>
    public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromSeconds(1);

    public bool LongPolling { get; set; } = true;

    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(10);

    public bool KeepDatabase { get; set; }

    public static string Usage =>
        """
        Orchestrator.Bench.Hangfire: the same no-op workload through Hangfire (Hangfire.PostgreSql storage), as a baseline.

        dotnet run -c Release --project bench/Orchestrator.Bench.Hangfire -- [options]

          --pg CONN              connection string of a role with CREATEDB (default: orchestrator@127.0.0.1/postgres)
          --jobs N               jobs to enqueue (default 1000)
          --warmup W             run W jobs first, then ANALYZE, left out of every figure (default 50)
          --concurrency C        enqueuing tasks at once (default 16)
          --rate R               offered enqueues per second, 0 = as fast as possible (default 0)
          --workers W            Hangfire worker count (default 16)
          --work process|noop    run `bash run.sh` (run.sh is `true`) per job, or an empty method (default process)
          --queue-poll-ms MS     Hangfire.PostgreSql QueuePollInterval (default 1000)
          --long-polling true|false   Hangfire.PostgreSql EnableLongPolling, LISTEN/NOTIFY wake-ups (default true)
          --timeout S            give up after S seconds (default 600)
          --keep-database true   keep the throw-away database for inspection
        """;

    public static HangfireOptions Parse(string[] args)
    {
        var options = new HangfireOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (i + 1 >= args.Length)
                throw new ArgumentException($"{name} needs a value");
            var value = args[++i];
            switch (name)
            {
                case "--pg": options.Pg = value; break;
                case "--jobs": options.Jobs = PositiveInt(name, value); break;
                case "--warmup": options.Warmup = PositiveInt(name, value); break;
                case "--concurrency": options.Concurrency = PositiveInt(name, value); break;
                case "--rate": options.Rate = double.Parse(value, CultureInfo.InvariantCulture); break;
                case "--workers": options.Workers = PositiveInt(name, value); break;
                case "--work":
                    options.Work = value is "process" or "noop" ? value : throw new ArgumentException("--work is process or noop");
                    break;
                case "--queue-poll-ms": options.QueuePollInterval = TimeSpan.FromMilliseconds(PositiveInt(name, value)); break;
                case "--long-polling": options.LongPolling = bool.Parse(value); break;
                case "--timeout": options.Timeout = TimeSpan.FromSeconds(PositiveInt(name, value)); break;
                case "--keep-database": options.KeepDatabase = bool.Parse(value); break;
                default: throw new ArgumentException($"unknown option {name}");
            }
        }

        return options.Rate >= 0 ? options : throw new ArgumentException("--rate must be 0 or more");
    }

    static int PositiveInt(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{name} must be a positive integer, not '{value}'");
}
