using System.Globalization;
using Npgsql;

namespace Orchestrator.Bench;

/// <summary>
/// The <c>backlog</c> mode. <c>fill</c> submits the backlog over HTTP while dispatch is paused (destination capacity
/// 0) and waits until the scheduler holds every job queued; <c>drain</c> runs after the operator restarted the system
/// with capacity, and reads the dispatch and completion times the services recorded in PostgreSQL.
/// </summary>
public sealed class BacklogRun(HttpClient http, BenchOptions options)
{
    public Task<int> RunAsync(CancellationToken cancellationToken) =>
        options.Phase == "fill" ? FillAsync(cancellationToken) : DrainAsync(cancellationToken);

    async Task<int> FillAsync(CancellationToken cancellationToken)
    {
        Console.WriteLine($"machine: {MachineInfo.Describe()}");
        Console.WriteLine($"backlog fill: {options.Jobs} jobs to {options.Api}, concurrency {options.Concurrency}, {options.Users} user(s)");
        await using var db = NpgsqlDataSource.Create(options.Pg);
        var queuedBefore = await ScalarAsync(db, "SELECT count(*) FROM scheduler.queued_jobs", cancellationToken);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        var submitted = await new JobSubmitter(http, options).SubmitAsync(options.Jobs, null, timeout.Token);
        if (submitted.Accepted.Count == 0)
        {
            Console.WriteLine("no job was accepted");
            return 1;
        }

        var from = submitted.Accepted[0].Number;
        var to = submitted.Accepted[^1].Number;
        Console.WriteLine($"submitted {submitted.Accepted.Count} jobs ({from}..{to}) in {(submitted.EndedAt - submitted.StartedAt).TotalSeconds:F1} s: " +
                          $"{submitted.PerSecond:F1} submissions/s; rejected: {(submitted.Rejected.Count == 0 ? "none" : string.Join(", ", submitted.Rejected.Select(r => $"{r.Key}: {r.Value}")))}");

        // The scheduler consumes the JobSubmitted events after the uploads returned; the backlog is ready once all are queued.
        var target = queuedBefore + submitted.Accepted.Count;
        long queued = 0;
        var deadline = submitted.StartedAt + options.Timeout;
        while (DateTimeOffset.UtcNow < deadline && !cancellationToken.IsCancellationRequested)
        {
            queued = await ScalarAsync(db, "SELECT count(*) FROM scheduler.queued_jobs", cancellationToken);
            if (queued >= target)
                break;
            Console.Error.WriteLine($"  queued {queued}/{target}");
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        }

        var dispatched = await ScalarAsync(db,
            $"SELECT count(*) FROM api.jobs WHERE number BETWEEN {from} AND {to} AND dispatched_at IS NOT NULL", cancellationToken);
        var allQueuedAt = await ScalarTimeAsync(db,
            $"SELECT max(enqueued_at) FROM scheduler.queued_jobs WHERE job_number BETWEEN {from} AND {to}", cancellationToken);
        Console.WriteLine($"scheduler.queued_jobs holds {queued} jobs; last enqueued at {allQueuedAt:O} " +
                          $"({(allQueuedAt - submitted.StartedAt)?.TotalSeconds:F1} s after the first upload); {dispatched} of the range already dispatched");
        if (dispatched > 0)
            Console.WriteLine("warning: jobs were dispatched during the fill; was the system started with Orchestrator__Destinations__local__Capacity=0?");
        Console.WriteLine($"next: restart the system with capacity, then: backlog drain --from-job {from} --to-job {to}");
        return queued >= target ? 0 : 1;
    }

    async Task<int> DrainAsync(CancellationToken cancellationToken)
    {
        Console.WriteLine($"machine: {MachineInfo.Describe()}");
        var from = options.FromJob;
        var to = options.ToJob;
        await using var db = NpgsqlDataSource.Create(options.Pg);
        var total = await ScalarAsync(db, $"SELECT count(*) FROM api.jobs WHERE number BETWEEN {from} AND {to}", cancellationToken);
        Console.WriteLine($"backlog drain: jobs {from}..{to} ({total} jobs)");
        var deadline = DateTimeOffset.UtcNow + options.Timeout;
        var lastReport = DateTimeOffset.MinValue;
        while (DateTimeOffset.UtcNow < deadline)
        {
            var (dispatched, finished, queued, active) = await CountsAsync(db, from, to, cancellationToken);
            if (DateTimeOffset.UtcNow - lastReport >= TimeSpan.FromSeconds(5))
            {
                Console.Error.WriteLine($"  {DateTimeOffset.UtcNow:HH:mm:ss} dispatched {dispatched}, finished {finished} of {total}; " +
                                        $"scheduler queued_jobs {queued}, active_jobs {active}; load {MachineInfo.LoadAverage()}");
                lastReport = DateTimeOffset.UtcNow;
            }

            if (finished >= total)
                break;
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }

        Console.WriteLine($"load average after: {MachineInfo.LoadAverage()}");
        return await ReportAsync(db, from, to, total, cancellationToken);
    }

    static async Task<(long Dispatched, long Finished, long Queued, long Active)> CountsAsync(
        NpgsqlDataSource db, long from, long to, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(
            $"""
            SELECT count(*) FILTER (WHERE dispatched_at IS NOT NULL),
                   count(*) FILTER (WHERE completed_at IS NOT NULL OR failed_at IS NOT NULL),
                   (SELECT count(*) FROM scheduler.queued_jobs),
                   (SELECT count(*) FROM scheduler.active_jobs)
            FROM api.jobs WHERE number BETWEEN {from} AND {to}
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
    }

    static async Task<int> ReportAsync(NpgsqlDataSource db, long from, long to, long total, CancellationToken cancellationToken)
    {
        var dispatched = await TimesAsync(db, "dispatched_at", from, to, cancellationToken);
        var completed = await TimesAsync(db, "completed_at", from, to, cancellationToken);
        var failed = await ScalarAsync(db, $"SELECT count(*) FROM api.jobs WHERE number BETWEEN {from} AND {to} AND failed_at IS NOT NULL", cancellationToken);

        Console.WriteLine();
        var summary = new Table("measure", "value");
        summary.Add("backlog", total.ToString(CultureInfo.InvariantCulture));
        summary.Add("dispatched / completed / failed", $"{dispatched.Count} / {completed.Count} / {failed}");
        if (dispatched.Count > 1)
        {
            summary.Add("first dispatch to last dispatch, s", Table.Num((dispatched[^1] - dispatched[0]).TotalSeconds));
            summary.Add("dispatch rate, jobs/s (first to last dispatch)", Table.Num(dispatched.Count / (dispatched[^1] - dispatched[0]).TotalSeconds));
            summary.Add("peak dispatches in one second", PeakPerSecond(dispatched).ToString(CultureInfo.InvariantCulture));
        }

        if (completed.Count > 1)
            summary.Add("completion rate, jobs/s (first dispatch to last completion)", Table.Num(completed.Count / (completed[^1] - dispatched[0]).TotalSeconds));
        Console.Write(summary);

        if (dispatched.Count >= 10)
        {
            // Whether dispatching slows with a deep queue: the rate over each tenth of the backlog, deepest first.
            Console.WriteLine();
            var tenths = new Table("tenth of backlog (by dispatch order)", "jobs left queued at its start", "dispatch rate, jobs/s");
            for (var i = 0; i < 10; i++)
            {
                var start = dispatched.Count * i / 10;
                var end = dispatched.Count * (i + 1) / 10 - 1;
                var seconds = (dispatched[end] - dispatched[start]).TotalSeconds;
                tenths.Add($"{i + 1}", (dispatched.Count - start).ToString(CultureInfo.InvariantCulture), Table.Num((end - start + 1) / Math.Max(seconds, 1e-9)));
            }

            Console.Write(tenths);
        }

        return completed.Count + failed >= total && failed == 0 ? 0 : 1;
    }

    static int PeakPerSecond(List<DateTimeOffset> sorted)
    {
        var peak = 0;
        var start = 0;
        for (var end = 0; end < sorted.Count; end++)
        {
            while (sorted[end] - sorted[start] >= TimeSpan.FromSeconds(1))
                start++;
            peak = Math.Max(peak, end - start + 1);
        }

        return peak;
    }

    static async Task<List<DateTimeOffset>> TimesAsync(NpgsqlDataSource db, string column, long from, long to, CancellationToken cancellationToken)
    {
        var times = new List<DateTimeOffset>();
        await using var command = db.CreateCommand(
            $"SELECT {column} FROM api.jobs WHERE number BETWEEN {from} AND {to} AND {column} IS NOT NULL ORDER BY {column}");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            times.Add(reader.GetFieldValue<DateTimeOffset>(0));
        return times;
    }

    static async Task<long> ScalarAsync(NpgsqlDataSource db, string sql, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    static async Task<DateTimeOffset?> ScalarTimeAsync(NpgsqlDataSource db, string sql, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(sql);
        return await command.ExecuteScalarAsync(cancellationToken) is DateTime value
            ? new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc))
            : null;
    }
}
