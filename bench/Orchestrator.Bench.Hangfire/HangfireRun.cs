using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Hangfire;
using Hangfire.PostgreSql;
using Npgsql;
using Orchestrator.Bench;

namespace Orchestrator.Bench.Hangfire;

/// <summary>
/// Enqueues the jobs into a Hangfire server running in this process on a throw-away PostgreSQL database, waits
/// for them, and reports from Hangfire's own state records, as the Orchestrator bench reports from its transitions.
/// </summary>
public sealed class HangfireRun(HangfireOptions options)
{
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var database = $"bench_hangfire_{Environment.ProcessId}_{DateTime.UtcNow:yyyyMMddHHmmss}";
        var admin = new NpgsqlConnectionStringBuilder(options.Pg);
        await ExecuteAsync(admin.ConnectionString, $"CREATE DATABASE {database}", cancellationToken);
        var workRoot = Directory.CreateTempSubdirectory("bench-hangfire-");
        try
        {
            var target = new NpgsqlConnectionStringBuilder(options.Pg) { Database = database };
            return await MeasureAsync(target.ConnectionString, workRoot.FullName, cancellationToken);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            if (!options.KeepDatabase)
                await ExecuteAsync(admin.ConnectionString, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)", CancellationToken.None);
            else
                Console.WriteLine($"kept database {database}");
            workRoot.Delete(recursive: true);
        }
    }

    async Task<int> MeasureAsync(string connectionString, string workRoot, CancellationToken cancellationToken)
    {
        Console.WriteLine($"machine: {MachineInfo.Describe()}");
        Console.WriteLine($"hangfire: {options.Jobs} jobs ({options.Work}), {options.Workers} workers, concurrency {options.Concurrency}, " +
                          $"offered rate {(options.Rate > 0 ? options.Rate.ToString(CultureInfo.InvariantCulture) + " jobs/s" : "unlimited")}, " +
                          $"long polling {options.LongPolling}, queue poll {options.QueuePollInterval.TotalMilliseconds} ms");
        GlobalConfiguration.Configuration
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            // Hangfire's own warnings and errors (a fetch that failed, a job it gave up on) would otherwise go unseen.
            .UseColouredConsoleLogProvider(global::Hangfire.Logging.LogLevel.Warn)
            .UsePostgreSqlStorage(
                bootstrap => bootstrap.UseNpgsqlConnection(connectionString),
                new PostgreSqlStorageOptions
                {
                    PrepareSchemaIfNecessary = true,
                    QueuePollInterval = options.QueuePollInterval,
                    EnableLongPolling = options.LongPolling,
                });
        var storage = JobStorage.Current;

        var client = new BackgroundJobClient(storage);
        using var server = new BackgroundJobServer(new BackgroundJobServerOptions { WorkerCount = options.Workers }, storage);

        // Jobs first, so connection pools, the schema and the JIT are warm, as they are in long-running services, and
        // the tables analyzed, as autovacuum would have done by then (the Orchestrator bench's --analyze).
        var warmUp = await EnqueueAsync(client, workRoot, options.Warmup, 0, cancellationToken);
        await WaitAsync(connectionString, warmUp.Jobs.Select(j => j.Id).ToList(), DateTimeOffset.UtcNow + options.Timeout, cancellationToken);
        await ExecuteAsync(connectionString, "ANALYZE", cancellationToken);

        var deadline = DateTimeOffset.UtcNow + options.Timeout;
        var run = await EnqueueAsync(client, workRoot, options.Jobs, options.Rate, cancellationToken);
        var ids = run.Jobs.Select(j => j.Id).ToList();
        var finished = await WaitAsync(connectionString, ids, deadline, cancellationToken);
        Console.WriteLine($"load average after: {MachineInfo.LoadAverage()}");
        var times = await TimesAsync(connectionString, ids, cancellationToken);
        Report(run, times);
        return finished == ids.Count && times.Values.All(t => t.Failed is null) ? 0 : 1;
    }

    async Task<(List<EnqueuedJob> Jobs, DateTimeOffset StartedAt, DateTimeOffset EndedAt)> EnqueueAsync(
        BackgroundJobClient client, string workRoot, int count, double rate, CancellationToken cancellationToken)
    {
        var jobs = new ConcurrentBag<EnqueuedJob>();
        var next = -1;
        var clock = Stopwatch.StartNew();
        var startedAt = DateTimeOffset.UtcNow;

        async Task WorkerAsync()
        {
            while (true)
            {
                var index = Interlocked.Increment(ref next);
                if (index >= count || cancellationToken.IsCancellationRequested)
                    return;
                if (rate > 0)
                {
                    var due = TimeSpan.FromSeconds(index / rate) - clock.Elapsed;
                    if (due > TimeSpan.Zero)
                        await Task.Delay(due, cancellationToken);
                }

                var sentAt = DateTimeOffset.UtcNow;
                string id;
                if (options.Work == "process")
                {
                    // As the Orchestrator's upload does: the job's files are on disk before the job exists.
                    var directory = Path.Combine(workRoot, Guid.NewGuid().ToString("N"));
                    Directory.CreateDirectory(directory);
                    await File.WriteAllTextAsync(Path.Combine(directory, "run.sh"), "true\n", cancellationToken);
                    id = client.Enqueue(() => BenchJobs.RunScript(directory));
                }
                else
                {
                    var argument = index;
                    id = client.Enqueue(() => BenchJobs.NoOp(argument));
                }

                jobs.Add(new EnqueuedJob(long.Parse(id, CultureInfo.InvariantCulture), sentAt, DateTimeOffset.UtcNow));
            }
        }

        // Enqueue is synchronous (one database round trip); each enqueuing loop gets a thread-pool thread of its own.
        await Task.WhenAll(Enumerable.Range(0, options.Concurrency).Select(_ => Task.Run(WorkerAsync, cancellationToken)));
        return (jobs.OrderBy(j => j.Id).ToList(), startedAt, DateTimeOffset.UtcNow);
    }

    static async Task<int> WaitAsync(string connectionString, List<long> ids, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        var finished = 0;
        while (DateTimeOffset.UtcNow < deadline)
        {
            await using var command = new NpgsqlCommand(
                "SELECT count(*) FROM hangfire.job WHERE id = ANY(@ids) AND statename IN ('Succeeded', 'Failed', 'Deleted')", connection);
            command.Parameters.AddWithValue("ids", ids.ToArray());
            finished = Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
            if (finished >= ids.Count)
                break;
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }

        return finished;
    }

    static async Task<Dictionary<long, JobTimes>> TimesAsync(string connectionString, List<long> ids, CancellationToken cancellationToken)
    {
        var times = ids.ToDictionary(id => id, _ => new JobTimes());
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT jobid, name, createdat FROM hangfire.state WHERE jobid = ANY(@ids)", connection);
        command.Parameters.AddWithValue("ids", ids.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var job = times[reader.GetInt64(0)];
            var at = Utc(reader.GetValue(2));
            switch (reader.GetString(1))
            {
                case "Enqueued": job.Enqueued ??= at; break;
                case "Processing": job.Processing ??= at; break;
                case "Succeeded": job.Succeeded ??= at; break;
                case "Failed": job.Failed ??= at; break;
            }
        }

        return times;
    }

    // Hangfire.PostgreSql writes UTC into a column without a time zone.
    static DateTimeOffset Utc(object value) => value switch
    {
        DateTime time => new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)),
        DateTimeOffset offset => offset,
        _ => throw new InvalidOperationException($"unexpected createdat {value.GetType()}"),
    };

    static void Report((List<EnqueuedJob> Jobs, DateTimeOffset StartedAt, DateTimeOffset EndedAt) run, Dictionary<long, JobTimes> times)
    {
        var jobs = run.Jobs.Select(j => (Job: j, Times: times[j.Id])).ToList();
        var succeeded = jobs.Where(j => j.Times.Succeeded is not null).Select(j => j.Times.Succeeded!.Value).Order().ToList();

        Console.WriteLine();
        var summary = new Table("measure", "value");
        summary.Add("jobs enqueued", jobs.Count.ToString(CultureInfo.InvariantCulture));
        summary.Add("enqueues/s (client, first call to last return)", Table.Num(jobs.Count / Math.Max((run.EndedAt - run.StartedAt).TotalSeconds, 1e-9)));
        summary.Add("succeeded / failed / not finished in time",
            $"{succeeded.Count} / {jobs.Count(j => j.Times.Failed is not null)} / {jobs.Count(j => j.Times.Succeeded is null && j.Times.Failed is null)}");
        if (succeeded.Count > 0)
        {
            var firstEnqueued = jobs.Where(j => j.Times.Enqueued is not null).Min(j => j.Times.Enqueued!.Value);
            summary.Add("end-to-end completed jobs/s (first enqueue to last success)", Table.Num(succeeded.Count / (succeeded[^1] - firstEnqueued).TotalSeconds));
            if (succeeded.Count >= 20)
            {
                var low = succeeded[(int)(succeeded.Count * 0.1)];
                var high = succeeded[(int)(succeeded.Count * 0.9)];
                var middle = (int)(succeeded.Count * 0.9) - (int)(succeeded.Count * 0.1);
                summary.Add("steady completion rate, jobs/s (10th to 90th percentile completion)", Table.Num(middle / Math.Max((high - low).TotalSeconds, 1e-9)));
            }
        }

        Console.Write(summary);
        Console.WriteLine();
        var latency = new Table("latency (ms)", "n", "p50", "p95", "p99", "max");
        void Row(string name, IEnumerable<TimeSpan> sample)
        {
            var p = new Percentiles(sample);
            latency.Add(name, p.Count.ToString(CultureInfo.InvariantCulture), Table.Ms(p.At(50)), Table.Ms(p.At(95)), Table.Ms(p.At(99)), Table.Ms(p.Max));
        }

        Row("enqueue call (client)", jobs.Select(j => j.Job.AcceptedAt - j.Job.SentAt));
        Row("enqueue -> processing (server Enqueued to Processing)", jobs.Where(j => j.Times is { Enqueued: not null, Processing: not null })
            .Select(j => j.Times.Processing!.Value - j.Times.Enqueued!.Value));
        Row("send -> processing (client call to server Processing)", jobs.Where(j => j.Times.Processing is not null)
            .Select(j => j.Times.Processing!.Value - j.Job.SentAt));
        Row("enqueue -> succeeded (server)", jobs.Where(j => j.Times is { Enqueued: not null, Succeeded: not null })
            .Select(j => j.Times.Succeeded!.Value - j.Times.Enqueued!.Value));
        Row("  hop Processing -> Succeeded", jobs.Where(j => j.Times is { Processing: not null, Succeeded: not null })
            .Select(j => j.Times.Succeeded!.Value - j.Times.Processing!.Value));
        Console.Write(latency);
    }

    static async Task ExecuteAsync(string connectionString, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
