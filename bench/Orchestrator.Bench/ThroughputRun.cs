using System.Globalization;
using Npgsql;

namespace Orchestrator.Bench;

/// <summary>The <c>run</c> mode: submit, wait for every job to finish, report throughput and latencies.</summary>
public sealed class ThroughputRun(HttpClient http, BenchOptions options)
{
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        Console.WriteLine($"machine: {MachineInfo.Describe()}");
        Console.WriteLine($"run: {options.Jobs} jobs to {options.Api} service {options.Service}, {options.Users} user(s), " +
                          $"concurrency {options.Concurrency}, offered rate {(options.Rate > 0 ? options.Rate.ToString(CultureInfo.InvariantCulture) + " jobs/s" : "unlimited")}");
        if (options.Warmup > 0)
        {
            var (warm, warmFinals) = await SubmitAndWaitAsync(options.Warmup, cancellationToken);
            Console.WriteLine($"warm-up: {warmFinals.Count}/{warm.Accepted.Count} of {options.Warmup} jobs finished; load average {MachineInfo.LoadAverage()}");
        }

        if (options.Analyze)
        {
            await using var db = NpgsqlDataSource.Create(options.Pg);
            await using var analyze = db.CreateCommand("ANALYZE");
            await analyze.ExecuteNonQueryAsync(cancellationToken);
            Console.WriteLine("analyzed the Orchestrator database");
        }

        var (submitted, finals) = await SubmitAndWaitAsync(options.Jobs, cancellationToken);
        Console.WriteLine($"load average after: {MachineInfo.LoadAverage()}");
        Report(submitted, finals);
        return finals.Count == submitted.Accepted.Count && submitted.Rejected.Count == 0 ? 0 : 1;
    }

    /// <summary>Submits <paramref name="jobs"/> jobs and waits, within the run's timeout, until each has finished.</summary>
    async Task<(SubmissionOutcome Submitted, IReadOnlyDictionary<long, JobStatus> Finals)> SubmitAndWaitAsync(int jobs, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + options.Timeout;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);

        var poller = new JobPoller(http, options);
        var waiting = poller.WaitAsync(jobs, deadline, cancellationToken);
        SubmissionOutcome submitted;
        try
        {
            submitted = await new JobSubmitter(http, options).SubmitAsync(jobs, poller.Add, timeout.Token);
        }
        finally
        {
            poller.SubmissionsDone();
        }

        return (submitted, await waiting);
    }

    static void Report(SubmissionOutcome submitted, IReadOnlyDictionary<long, JobStatus> finals)
    {
        var jobs = submitted.Accepted
            .Select(s => (Submission: s, Status: finals.GetValueOrDefault(s.Number)))
            .ToList();
        var completed = jobs.Where(j => j.Status?.At("Completed") is not null).ToList();
        var failed = jobs.Count(j => j.Status is not null && j.Status.At("Completed") is null);
        var inconsistent = jobs.Count(j => j.Status?.IsInconsistent == true);
        var unfinished = jobs.Count(j => j.Status is null);

        Console.WriteLine();
        var summary = new Table("measure", "value");
        summary.Add("jobs accepted", submitted.Accepted.Count.ToString(CultureInfo.InvariantCulture));
        summary.Add("uploads rejected", submitted.Rejected.Count == 0 ? "0" : string.Join(", ", submitted.Rejected.Select(r => $"{r.Key}: {r.Value}")));
        summary.Add("submissions/s (client, first send to last 201)", Table.Num(submitted.PerSecond));
        summary.Add("completed / failed / not finished in time", $"{completed.Count} / {failed} / {unfinished}");
        summary.Add("finished, but state not final in GET /jobs", inconsistent.ToString(CultureInfo.InvariantCulture));
        summary.Add("finished without a Running time in GET /jobs", jobs.Count(j => j.Status is not null && j.Status.At("Running") is null).ToString(CultureInfo.InvariantCulture));

        var submittedAt = jobs.Where(j => j.Status is not null).Select(j => j.Status!.At("Submitted")!.Value).ToList();
        var completedAt = completed.Select(j => j.Status!.At("Completed")).Where(t => t is not null).Select(t => t!.Value).Order().ToList();
        if (completedAt.Count > 0)
        {
            var span = (completedAt[^1] - submittedAt.Min()).TotalSeconds;
            summary.Add("end-to-end completed jobs/s (first submit to last completion)", Table.Num(completedAt.Count / span));
            if (completedAt.Count >= 20)
            {
                // The middle 80 % of completions leave out the ramp-up and the tail of the last stragglers.
                var low = completedAt[(int)(completedAt.Count * 0.1)];
                var high = completedAt[(int)(completedAt.Count * 0.9)];
                var middle = (int)(completedAt.Count * 0.9) - (int)(completedAt.Count * 0.1);
                summary.Add("steady completion rate, jobs/s (10th to 90th percentile completion)", Table.Num(middle / Math.Max((high - low).TotalSeconds, 1e-9)));
            }
        }

        var dispatchedAt = jobs.Select(j => j.Status?.At("Dispatched")).Where(t => t is not null).Select(t => t!.Value).Order().ToList();
        if (dispatchedAt.Count > 1)
            summary.Add("dispatches/s (first to last dispatch)", Table.Num(dispatchedAt.Count / Math.Max((dispatchedAt[^1] - dispatchedAt[0]).TotalSeconds, 1e-9)));
        Console.Write(summary);

        Console.WriteLine();
        var latency = new Table("latency (ms)", "n", "p50", "p95", "p99", "max");
        void Row(string name, IEnumerable<TimeSpan> sample)
        {
            var p = new Percentiles(sample);
            latency.Add(name, p.Count.ToString(CultureInfo.InvariantCulture), Table.Ms(p.At(50)), Table.Ms(p.At(95)), Table.Ms(p.At(99)), Table.Ms(p.Max));
        }

        var done = jobs.Where(j => j.Status is not null).ToList();
        Row("upload round trip (client)", submitted.Accepted.Select(s => s.AcceptedAt - s.SentAt));
        Row("submit -> running (server Submitted to Running)", Between(done, "Submitted", "Running"));
        Row("send -> running (client send to server Running)", done.Where(j => j.Status!.At("Running") is not null).Select(j => j.Status!.At("Running")!.Value - j.Submission.SentAt));
        Row("submit -> completed (server)", Between(done, "Submitted", "Completed"));
        Row("  hop Submitted -> Queued", Between(done, "Submitted", "Queued"));
        Row("  hop Queued -> Dispatched", Between(done, "Queued", "Dispatched"));
        Row("  hop Dispatched -> Running", Between(done, "Dispatched", "Running"));
        Row("  hop Running -> Completed", Between(done, "Running", "Completed"));
        Console.Write(latency);
    }

    static IEnumerable<TimeSpan> Between(IEnumerable<(Submission Submission, JobStatus? Status)> jobs, string from, string to) =>
        jobs.Select(j => (From: j.Status!.At(from), To: j.Status!.At(to)))
            .Where(t => t.From is not null && t.To is not null)
            .Select(t => t.To!.Value - t.From!.Value);
}
