using Orchestrator.Bench.Hangfire;

if (args.Any(a => a is "-h" or "--help"))
{
    Console.WriteLine(HangfireOptions.Usage);
    return 0;
}

HangfireOptions options;
try
{
    options = HangfireOptions.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or FormatException)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    Console.Error.WriteLine(HangfireOptions.Usage);
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
return await new HangfireRun(options).RunAsync(cancel.Token);
