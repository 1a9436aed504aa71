using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Orchestrator.Platform.Configuration;

namespace Orchestrator.Executor.Destinations.Jobd;

/// <summary>
/// The agents of this executor's jobd destination: probes each one's <c>/load</c> (every
/// <see cref="JobdOptions.ProbeInterval"/> while it answers, backing off while it does not), takes an agent that
/// stops answering out of rotation and puts it back when it answers again, and picks the least loaded healthy agent
/// for a new job: its CPU load plus <see cref="JobdOptions.InFlightWeight"/> per job of ours in flight on it.
/// </summary>
public sealed class JobdAgentPool : BackgroundService
{
    public const string HttpClientName = "jobd";
    static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);

    readonly Lock _lock = new();
    readonly Dictionary<Uri, JobdAgent> _agents = new();
    readonly IHttpClientFactory _httpClients;
    readonly IOptions<JobdOptions> _options;
    readonly ILogger<JobdAgentPool> _logger;
    readonly TaskCompletionSource _firstProbe = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public JobdAgentPool(IOptions<OrchestratorOptions> orchestrator, IOptions<ExecutorOptions> executor, IHttpClientFactory httpClients,
        IOptions<JobdOptions> options, ILogger<JobdAgentPool> logger)
    {
        _httpClients = httpClients;
        _options = options;
        _logger = logger;
        Destination = executor.Value.Destination;
        var configured = orchestrator.Value.Destinations.TryGetValue(Destination, out var destination) ? destination.Agents : [];
        // A URL that is not absolute is left out here; the configuration's validation names it at start-up.
        foreach (var url in configured)
        {
            if (Uri.TryCreate(url, UriKind.Absolute, out var parsed))
                _agents.TryAdd(Normalise(parsed), new JobdAgent(Normalise(parsed), configured: true));
        }
    }

    public string Destination { get; }

    /// <summary>The agent of <paramref name="baseAddress"/>, which a stored run may name even when it is no longer configured.</summary>
    public JobdAgent Get(Uri baseAddress)
    {
        var uri = Normalise(baseAddress);
        lock (_lock)
        {
            if (!_agents.TryGetValue(uri, out var agent))
            {
                agent = new JobdAgent(uri, configured: false);
                _agents[uri] = agent;
            }

            return agent;
        }
    }

    /// <summary>The least loaded healthy configured agent, or null when none answers. Waits for the first probes.</summary>
    public async Task<JobdAgent?> ChooseAsync(CancellationToken cancellationToken)
    {
        await _firstProbe.Task.WaitAsync(_options.Value.RequestTimeout + TimeSpan.FromSeconds(1), cancellationToken)
            .ContinueWith(_ => { }, TaskScheduler.Default);
        lock (_lock)
        {
            return _agents.Values
                .Where(a => a is { Configured: true, Healthy: true })
                .OrderBy(a => (a.Load ?? 100) + _options.Value.InFlightWeight * a.InFlight.Count)
                .ThenBy(a => a.InFlight.Count)
                .FirstOrDefault();
        }
    }

    public void Track(JobdAgent agent, string externalId)
    {
        lock (_lock)
            agent.InFlight.Add(externalId);
    }

    public void Untrack(JobdAgent agent, string externalId)
    {
        lock (_lock)
            agent.InFlight.Remove(externalId);
    }

    /// <summary>The agent answered a call: it is back in rotation if it was out.</summary>
    public void Answered(JobdAgent agent)
    {
        lock (_lock)
        {
            if (agent.Healthy == false)
                _logger.LogInformation("jobd agent {Agent} answers again; back in rotation", agent.BaseAddress);
            agent.Healthy = true;
            agent.DownSince = null;
            agent.LastError = null;
            agent.Backoff = TimeSpan.Zero;
        }
    }

    /// <summary>The agent did not answer a call: out of rotation until a probe gets an answer.</summary>
    public void Unreachable(JobdAgent agent, string reason)
    {
        lock (_lock)
        {
            if (agent.Healthy != false)
            {
                _logger.LogWarning("jobd agent {Agent} does not answer ({Reason}); out of rotation", agent.BaseAddress, reason);
                agent.DownSince = DateTimeOffset.UtcNow;
                agent.Backoff = _options.Value.ProbeInterval;
                agent.NextProbeAt = DateTimeOffset.UtcNow + agent.Backoff;
            }

            agent.Healthy = false;
            agent.LastError = reason;
        }
    }

    /// <summary>How long the agent has not answered; zero while it answers.</summary>
    public TimeSpan DownFor(JobdAgent agent)
    {
        lock (_lock)
            return agent.DownSince is { } since ? DateTimeOffset.UtcNow - since : TimeSpan.Zero;
    }

    public IReadOnlyList<JobdAgentView> Snapshot()
    {
        lock (_lock)
        {
            return _agents.Values
                .Select(a => new JobdAgentView(a.BaseAddress, a.Configured, a.Healthy, a.Load, a.InFlight.Count, a.DownSince, a.LastError))
                .ToList();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await ProbeAllDueAsync(stoppingToken);
        _firstProbe.TrySetResult();
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(Tick, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            await ProbeAllDueAsync(stoppingToken);
        }
    }

    async Task ProbeAllDueAsync(CancellationToken cancellationToken)
    {
        List<JobdAgent> due;
        lock (_lock)
            due = _agents.Values.Where(a => a.NextProbeAt <= DateTimeOffset.UtcNow).ToList();
        await Task.WhenAll(due.Select(a => ProbeAsync(a, cancellationToken)));
    }

    async Task ProbeAsync(JobdAgent agent, CancellationToken cancellationToken)
    {
        string? failure;
        double load = 0;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.Value.RequestTimeout);
            using var response = await _httpClients.CreateClient(HttpClientName).GetAsync(new Uri(agent.BaseAddress, "load"), timeout.Token);
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            failure = !response.IsSuccessStatusCode ? $"/load answered {(int)response.StatusCode}"
                : TryParseLoad(body, out load) ? null
                : $"/load answered '{Truncate(body)}', not a number";
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or OperationCanceledException)
        {
            if (cancellationToken.IsCancellationRequested)
                return;
            failure = ex is HttpRequestException ? ex.Message : $"no answer within {_options.Value.RequestTimeout.TotalSeconds:0} s";
        }

        if (failure is null)
        {
            Answered(agent);
            lock (_lock)
            {
                agent.Load = load;
                agent.NextProbeAt = DateTimeOffset.UtcNow + _options.Value.ProbeInterval;
            }

            return;
        }

        var wasDown = agent.Healthy == false;
        Unreachable(agent, failure);
        if (wasDown)
        {
            lock (_lock)
            {
                agent.Backoff = TimeSpan.FromTicks(Math.Min(_options.Value.ProbeMaxBackoff.Ticks, Math.Max(agent.Backoff.Ticks, _options.Value.ProbeInterval.Ticks) * 2));
                agent.NextProbeAt = DateTimeOffset.UtcNow + agent.Backoff;
            }
        }
    }

    /// <summary>The anchor answers a bare JSON number; a number in a string is taken too. Clamped to 0..100.</summary>
    static bool TryParseLoad(string body, out double load)
    {
        load = 0;
        try
        {
            using var json = JsonDocument.Parse(body);
            var ok = json.RootElement.ValueKind switch
            {
                JsonValueKind.Number => json.RootElement.TryGetDouble(out load),
                JsonValueKind.String => double.TryParse(json.RootElement.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out load),
                _ => false,
            };
            if (!ok || double.IsNaN(load) || double.IsInfinity(load))
                return false;
            load = Math.Clamp(load, 0, 100);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    static Uri Normalise(Uri uri) => uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");

    internal static string Truncate(string text) => text.Length <= 200 ? text : text[..200] + "...";
}
