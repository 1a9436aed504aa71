using System.Globalization;

namespace Orchestrator.Bench.Dispatch;

public sealed class DispatchBenchOptions
{
    public const string Usage = """
        Orchestrator.Bench.Dispatch: the scheduler's dispatch pass against queues of different depths.

        dotnet run -c Release --project bench/Orchestrator.Bench.Dispatch -- [options]
            For each depth, creates a throw-away database, queues that many jobs over --users users, runs the
            dispatch pass --passes times (each fills --slots free slots, freed again between passes) and prints the
            time per pass and per dispatched job. Needs a PostgreSQL user allowed to create databases.

        Options:
          --pg CONN        PostgreSQL connection string (default Host=127.0.0.1;Username=orchestrator;Password=orchestrator;Database=postgres)
          --depths LIST    comma-separated queue depths (default 100,10000,100000)
          --users U        users the jobs are spread over (default 10)
          --slots S        free slots per pass, which is also the jobs a pass dispatches (default 100)
          --passes P       timed passes per depth (default 30), after --warmup W untimed ones (default 3)
          --runs-per-user R  the service's RunsPerUser (default --slots: no user limit within a pass)
          --past-users N   fair-share accounts of N more users, served before and with nothing queued now (default 0):
                           what a service's history leaves behind
        """;

    public string Pg { get; private set; } = "Host=127.0.0.1;Username=orchestrator;Password=orchestrator;Database=postgres";

    public IReadOnlyList<int> Depths { get; private set; } = [100, 10_000, 100_000];

    public int Users { get; private set; } = 10;

    public int Slots { get; private set; } = 100;

    public int Passes { get; private set; } = 30;

    public int WarmupPasses { get; private set; } = 3;

    public int PastUsers { get; private set; }

    /// <summary>The service's RunsPerUser; null: the slots, so no user is held back.</summary>
    public int? RunsPerUser { get; private set; }

    public static DispatchBenchOptions Parse(string[] args)
    {
        var options = new DispatchBenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--help" or "-h":
                    throw new OperationCanceledException();
                case "--pg":
                    options.Pg = Value();
                    break;
                case "--depths":
                    options.Depths = Value().Split(',').Select(d => Positive("--depths", d)).ToList();
                    break;
                case "--users":
                    options.Users = Positive("--users", Value());
                    break;
                case "--slots":
                    options.Slots = Positive("--slots", Value());
                    break;
                case "--passes":
                    options.Passes = Positive("--passes", Value());
                    break;
                case "--warmup":
                    options.WarmupPasses = int.Parse(Value(), CultureInfo.InvariantCulture);
                    break;
                case "--runs-per-user":
                    options.RunsPerUser = Positive("--runs-per-user", Value());
                    break;
                case "--past-users":
                    options.PastUsers = int.Parse(Value(), CultureInfo.InvariantCulture);
                    break;
                default:
                    throw new ArgumentException($"unknown option {args[i]}");
            }
        }

        return options;
    }

    static int Positive(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{name} must be a positive whole number, not '{value}'");
}
