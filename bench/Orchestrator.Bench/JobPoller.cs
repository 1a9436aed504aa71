using System.Collections.Concurrent;
using System.Net.Http.Json;

namespace Orchestrator.Bench;

/// <summary>
/// Waits for submitted jobs to reach a final state by polling <c>GET /jobs/{id}</c> oldest first, a few at a time.
/// Jobs finish roughly in submission order, so each is asked about about once and the polling adds little load to the
/// system being measured; the latencies come from the server's transition times, not from when the poll saw them.
/// </summary>
public sealed class JobPoller(HttpClient http, BenchOptions options)
{
    readonly ConcurrentQueue<long> _inbox = new();
    readonly Dictionary<long, JobStatus> _final = [];
    volatile bool _submissionsDone;

    public void Add(Submission submission) => _inbox.Enqueue(submission.Number);

    public void SubmissionsDone() => _submissionsDone = true;

    /// <summary>Polls until every added job is final or the deadline passes; returns the final statuses by job number.</summary>
    public async Task<IReadOnlyDictionary<long, JobStatus>> WaitAsync(int expected, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var pending = new List<long>();
        var progress = new Progress("finished", expected);
        try
        {
            await PollAsync(pending, progress, deadline, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Interrupted: report what finished so far rather than nothing.
        }

        progress.Done();
        return _final;
    }

    async Task PollAsync(List<long> pending, Progress progress, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        while (DateTimeOffset.UtcNow < deadline)
        {
            while (_inbox.TryDequeue(out var number))
                pending.Add(number);
            if (pending.Count == 0)
            {
                if (_submissionsDone && _inbox.IsEmpty)
                    return;
                await Task.Delay(options.PollInterval, cancellationToken);
                continue;
            }

            pending.Sort();
            var window = pending.Take(options.PollConcurrency).ToList();
            var statuses = await Task.WhenAll(window.Select(n => GetAsync(n, cancellationToken)));
            var finished = 0;
            foreach (var status in statuses)
            {
                if (status is not { IsFinal: true })
                    continue;
                _final[status.Id] = status;
                pending.Remove(status.Id);
                finished++;
                progress.Step();
            }

            if (finished < window.Count)
                await Task.Delay(options.PollInterval, cancellationToken);
        }
    }

    async Task<JobStatus?> GetAsync(long number, CancellationToken cancellationToken)
    {
        try
        {
            return await http.GetFromJsonAsync<JobStatus>(new Uri(options.Api, $"/jobs/{number}"), cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // A refused, failed or timed-out poll is asked again in the next sweep.
            return null;
        }
    }
}
