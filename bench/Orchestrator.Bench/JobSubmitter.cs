using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;

namespace Orchestrator.Bench;

/// <summary>
/// Uploads no-op jobs: at most <c>concurrency</c> requests in flight and, with a rate, each upload no earlier than
/// its slot in an evenly spaced schedule (open loop: a late upload is sent at once rather than pushing the rest back).
/// </summary>
public sealed class JobSubmitter(HttpClient http, BenchOptions options)
{
    static readonly byte[] Script = Encoding.ASCII.GetBytes("true\n");

    public async Task<SubmissionOutcome> SubmitAsync(int count, Action<Submission>? onAccepted, CancellationToken cancellationToken)
    {
        var accepted = new ConcurrentBag<Submission>();
        var rejected = new ConcurrentDictionary<string, int>();
        var next = -1;
        var clock = Stopwatch.StartNew();
        var startedAt = DateTimeOffset.UtcNow;
        var progress = new Progress("submitted", count);

        async Task WorkerAsync()
        {
            while (true)
            {
                var index = Interlocked.Increment(ref next);
                if (index >= count || cancellationToken.IsCancellationRequested)
                    return;
                if (options.Rate > 0)
                {
                    var due = TimeSpan.FromSeconds(index / options.Rate) - clock.Elapsed;
                    if (due > TimeSpan.Zero)
                        await Task.Delay(due, cancellationToken);
                }

                var userId = 1 + index % options.Users;
                var sentAt = DateTimeOffset.UtcNow;
                try
                {
                    using var response = await http.PostAsync(new Uri(options.Api, "/upload"), Upload(userId), cancellationToken);
                    if (response.StatusCode == HttpStatusCode.Created)
                    {
                        var body = await response.Content.ReadFromJsonAsync<UploadAnswer>(cancellationToken);
                        var submission = new Submission(body!.Id, sentAt, DateTimeOffset.UtcNow);
                        accepted.Add(submission);
                        onAccepted?.Invoke(submission);
                        progress.Step();
                    }
                    else
                    {
                        rejected.AddOrUpdate($"HTTP {(int)response.StatusCode}", 1, (_, n) => n + 1);
                    }
                }
                catch (HttpRequestException ex)
                {
                    rejected.AddOrUpdate(ex.HttpRequestError.ToString(), 1, (_, n) => n + 1);
                }
                catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    rejected.AddOrUpdate("timeout", 1, (_, n) => n + 1);
                }
            }
        }

        try
        {
            await Task.WhenAll(Enumerable.Range(0, options.Concurrency).Select(_ => Task.Run(WorkerAsync, CancellationToken.None)));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Out of time or interrupted: what was accepted so far is still reported.
        }

        var endedAt = DateTimeOffset.UtcNow;
        progress.Done();
        return new SubmissionOutcome
        {
            Accepted = accepted.OrderBy(s => s.Number).ToList(),
            Rejected = rejected,
            StartedAt = startedAt,
            EndedAt = endedAt,
        };
    }

    MultipartFormDataContent Upload(int userId)
    {
        var file = new ByteArrayContent(Script);
        file.Headers.ContentType = new("application/x-sh");
        return new MultipartFormDataContent
        {
            { file, "file", "run.sh" },
            { new StringContent(userId.ToString(System.Globalization.CultureInfo.InvariantCulture)), "user_id" },
            { new StringContent(options.Service), "service" },
        };
    }
}
