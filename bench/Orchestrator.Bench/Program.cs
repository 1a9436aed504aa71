using System.Net;
using Orchestrator.Bench;

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (HelpRequestedException)
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}
catch (Exception ex) when (ex is ArgumentException or FormatException or UriFormatException)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

using var handler = new SocketsHttpHandler
{
    MaxConnectionsPerServer = options.Concurrency + options.PollConcurrency,
    PooledConnectionLifetime = TimeSpan.FromMinutes(10),
    AutomaticDecompression = DecompressionMethods.None,
};
using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(60) };

try
{
    using var health = await http.GetAsync(new Uri(options.Api, "/health"), cancel.Token);
    if (!health.IsSuccessStatusCode)
    {
        Console.Error.WriteLine($"error: {options.Api}health answered {(int)health.StatusCode}; is the Orchestrator running (./orchestrator start)?");
        return 1;
    }
}
catch (HttpRequestException ex)
{
    Console.Error.WriteLine($"error: no answer from {options.Api} ({ex.Message}); start the Orchestrator with ./orchestrator start");
    return 1;
}

return options.Mode == "backlog"
    ? await new BacklogRun(http, options).RunAsync(cancel.Token)
    : await new ThroughputRun(http, options).RunAsync(cancel.Token);
