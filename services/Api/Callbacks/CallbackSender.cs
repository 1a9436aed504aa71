using System.Data;
using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Orchestrator.Api.Persistence;
using Orchestrator.Platform.Messaging;
using Polly.CircuitBreaker;

namespace Orchestrator.Api.Callbacks;

/// <summary>
/// POSTs pending callback deliveries. Only the oldest pending delivery of each job is due, so a job's events arrive in
/// order; a failure backs off exponentially in the table, so retries survive restarts. A 4xx answer is final (the
/// receiver refuses the event; sending it again would not change that), except 408 and 429, which ask for a retry.
/// Rows are claimed with <c>FOR UPDATE SKIP LOCKED</c>, so several Api instances share the work.
/// </summary>
public sealed class CallbackSender(
    IServiceScopeFactory scopeFactory,
    IHttpClientFactory httpClients,
    IOptions<CallbackOptions> options,
    ILogger<CallbackSender> logger) : BackgroundService
{
    public const string HttpClientName = "callbacks";
    const int BatchSize = 20;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var sent = 0;
            try
            {
                sent = await SendBatchAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Callback delivery pass failed; retrying after the poll interval");
            }

            if (sent == BatchSize)
                continue;
            try
            {
                await Task.Delay(options.Value.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    async Task<int> SendBatchAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApiDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        var table = db.TableOf<CallbackDelivery>();
        var select = $"""
            SELECT {db.ColumnsOf<CallbackDelivery>("d")} FROM {table} d
            WHERE d.state = '{CallbackDeliveryStates.Pending}' AND d.next_attempt_at <= now()
              AND NOT EXISTS (SELECT 1 FROM {table} e
                              WHERE e.job_number = d.job_number AND e.state = '{CallbackDeliveryStates.Pending}' AND e.sequence < d.sequence)
            ORDER BY d.next_attempt_at
            LIMIT {BatchSize}
            FOR UPDATE SKIP LOCKED
            """;
        var due = await db.CallbackDeliveries.FromSqlRaw(select).ToListAsync(cancellationToken);

        foreach (var delivery in due)
            await SendAsync(delivery, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return due.Count;
    }

    async Task SendAsync(CallbackDelivery delivery, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        delivery.Attempts++;
        if (settings.SigningKeyFor(delivery.Service) is not { } key)
        {
            Finish(delivery, CallbackDeliveryStates.Failed, null, "No signing key is configured for the job's service.");
            return;
        }

        var body = Encoding.UTF8.GetBytes(delivery.Body);
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", CallbackEventWriter.ContentType);
        request.Headers.TryAddWithoutValidation(CallbackSignature.Header, CallbackSignature.Sign(body, key));
        try
        {
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
                Finish(delivery, CallbackDeliveryStates.Delivered, status, null);
            else if (status is >= 400 and < 500 && response.StatusCode is not (HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests))
                Finish(delivery, CallbackDeliveryStates.Failed, status, $"The receiver refused the event with {status}.");
            else
                Retry(delivery, status, $"The receiver answered {status}.");
        }
        catch (BrokenCircuitException ex)
        {
            Retry(delivery, null, $"Deliveries to {new Uri(delivery.Url).Authority} are paused: {ex.Message}");
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutException or Polly.Timeout.TimeoutRejectedException
                                   || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            Retry(delivery, null, ex.Message);
        }
    }

    void Retry(CallbackDelivery delivery, int? status, string error)
    {
        var settings = options.Value;
        var now = DateTimeOffset.UtcNow;
        if (now - delivery.CreatedAt >= settings.MaxAge)
        {
            Finish(delivery, CallbackDeliveryStates.Failed, status, $"Given up after {delivery.Attempts} attempts: {error}");
            return;
        }

        var exponent = Math.Min(delivery.Attempts - 1, 30);
        var backoff = TimeSpan.FromTicks(Math.Min(settings.MaxBackoff.Ticks, settings.InitialBackoff.Ticks * (1L << exponent)));
        // Jitter keeps the deliveries of many jobs to one recovering receiver from arriving all at once.
        backoff += TimeSpan.FromTicks((long)(backoff.Ticks * 0.2 * Random.Shared.NextDouble()));
        delivery.NextAttemptAt = now + backoff;
        delivery.LastStatus = status;
        delivery.LastError = error;
        logger.LogInformation("Callback {Event} of job {JobNumber} to {Url} failed (attempt {Attempts}): {Error}; next try in {Backoff}",
            delivery.Event, delivery.JobNumber, delivery.Url, delivery.Attempts, error, backoff);
    }

    void Finish(CallbackDelivery delivery, string state, int? status, string? error)
    {
        delivery.State = state;
        delivery.FinishedAt = DateTimeOffset.UtcNow;
        delivery.LastStatus = status;
        delivery.LastError = error;
        if (state == CallbackDeliveryStates.Failed)
            logger.LogWarning("Callback {Event} of job {JobNumber} to {Url} failed for good: {Error}", delivery.Event, delivery.JobNumber, delivery.Url, error);
    }
}
