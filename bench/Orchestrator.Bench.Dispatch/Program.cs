using Orchestrator.Bench;
using Orchestrator.Bench.Dispatch;

DispatchBenchOptions options;
try
{
    options = DispatchBenchOptions.Parse(args);
}
catch (OperationCanceledException)
{
    Console.WriteLine(DispatchBenchOptions.Usage);
    return 0;
}
catch (Exception ex) when (ex is ArgumentException or FormatException)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    Console.Error.WriteLine(DispatchBenchOptions.Usage);
    return 2;
}

Console.WriteLine($"machine: {MachineInfo.Describe()}");
Console.WriteLine($"dispatch passes: {options.Passes} per depth (after {options.WarmupPasses} untimed), {options.Slots} slots, RunsPerUser {options.RunsPerUser ?? options.Slots}, {options.Users} users, {options.PastUsers} past users");
var table = new Table("queued jobs", "passes", "jobs dispatched", "pass p50 (ms)", "pass p95 (ms)", "mean per job (µs)", "left queued");
foreach (var depth in options.Depths)
{
    var result = await new DepthRun(options, depth).RunAsync(CancellationToken.None);
    var passes = new Percentiles(result.Passes);
    var perJob = result.Dispatched == 0 ? double.NaN : result.Passes.Sum(p => p.TotalMilliseconds) * 1000 / result.Dispatched;
    table.Add(depth.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), result.Passes.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
        result.Dispatched.ToString(System.Globalization.CultureInfo.InvariantCulture), Table.Ms(passes.At(50)), Table.Ms(passes.At(95)),
        Table.Num(perJob, "F0"), result.LeftQueued.ToString(System.Globalization.CultureInfo.InvariantCulture));
    Console.Error.WriteLine($"  depth {depth}: done");
}

Console.WriteLine();
Console.WriteLine(table);
return 0;
