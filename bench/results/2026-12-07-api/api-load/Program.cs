using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using MassTransit;
using Npgsql;
using Orchestrator.Contracts;

// Loads one running Api process and measures it: warm-up, then <jobs> uploads of a one-line run.sh, as many
// GET /jobs/{id}, and four JobStateChanged per uploaded job published to its queue, each at <concurrency>. For each
// phase it prints the Api's CPU (user and system, from /proc), the CPU of the Api's PostgreSQL backends, and every
// statement pg_stat_statements counted in the Api's database. Runs as root: it reads /proc of other users' processes
// and resets pg_stat_statements through 'su postgres'. Set PERF_DIR to record each phase with perf.
//
// usage: ApiLoad <apiUrl> <vhost> <connection string> <api pid> <jobs> <concurrency> [api key]
var api = new Uri(args[0]);
var vhost = args[1];
var conn = args[2];
var pid = int.Parse(args[3]);
var n = int.Parse(args[4]);
var c = int.Parse(args[5]);
var key = args.Length > 6 ? args[6] : null;
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = c }) { BaseAddress = api };
if (key is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
var dbid = await Scalar<uint>("select oid from pg_database where datname = current_database()");
var dbname = await Scalar<string>("select current_database()");

double Cpu() => UserCpu() + SysCpu();
double UserCpu() => Stat(11);
double SysCpu() => Stat(12);
double Stat(int field)
{
    var parts = File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
    return long.Parse(parts[field]) * 10.0; // ms (100 Hz)
}

async Task<T> Scalar<T>(string sql)
{
    await using var cn = new NpgsqlConnection(conn);
    await cn.OpenAsync();
    await using var cmd = new NpgsqlCommand(sql, cn);
    return (T)(await cmd.ExecuteScalarAsync())!;
}

var jobs = new System.Collections.Concurrent.ConcurrentBag<(long Number, Guid JobId)>();
async Task Upload()
{
    using var form = new MultipartFormDataContent();
    var script = new StringContent("true\n");
    script.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
    form.Add(script, "file", "run.sh");
    form.Add(new StringContent("1"), "user_id");
    form.Add(new StringContent("generic"), "service");
    using var response = await http.PostAsync("/upload", form);
    var body = await response.Content.ReadAsStringAsync();
    if (!response.IsSuccessStatusCode) throw new Exception($"{(int)response.StatusCode} {body}");
    using var doc = JsonDocument.Parse(body);
    jobs.Add((doc.RootElement.GetProperty("id").GetInt64(), Guid.ParseExact(Path.GetFileName(doc.RootElement.GetProperty("loc").GetString()!), "N")));
}

async Task<Dictionary<int, double>> PgCpu()
{
    var result = new Dictionary<int, double>();
    await using var cn = new NpgsqlConnection(conn);
    await cn.OpenAsync();
    await using var cmd = new NpgsqlCommand("select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()", cn);
    await using var reader = await cmd.ExecuteReaderAsync();
    while (await reader.ReadAsync())
    {
        var backend = reader.GetInt32(0);
        try
        {
            var parts = File.ReadAllText($"/proc/{backend}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            result[backend] = (long.Parse(parts[11]) + long.Parse(parts[12])) * 10.0;
        }
        catch (IOException)
        {
        }
    }
    return result;
}

async Task<double> PgCpuSince(Dictionary<int, double> before)
{
    var after = await PgCpu();
    return after.Sum(kv => kv.Value - before.GetValueOrDefault(kv.Key));
}

async Task Run(string name, int count, Func<int, Task> work)
{
    var next = -1;
    var perf = StartPerf(name);
    var pg0 = await PgCpu();
    var cpu0 = Cpu();
    var sys0 = SysCpu();
    var sw = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, c).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < count) await work(i);
    }));
    var cpu = Cpu() - cpu0;
    var sys = SysCpu() - sys0;
    var pg = await PgCpuSince(pg0);
    await StopPerf(perf);
    Console.WriteLine($"{name}: {count} in {sw.Elapsed.TotalSeconds:F1} s, Api CPU {cpu:F0} ms = {cpu / count:F2} ms each ({(cpu - sys) / count:F2} user + {sys / count:F2} system); its PostgreSQL backends {pg / count:F2} ms each");
}

await Run("warm-up uploads", 1000, _ => Upload());
await Run("warm-up polls", 1000, async i => { using var r = await http.GetAsync($"/jobs/{jobs.First().Number}"); r.EnsureSuccessStatusCode(); });
var warm = jobs.ToList();
jobs.Clear();
await Reset();
await Run("uploads", n, _ => Upload());
await Report(n, "per upload");
var list = jobs.ToList();
await Reset();
await Run("polls GET /jobs/{id}", n, async i => { using var r = await http.GetAsync($"/jobs/{list[i % list.Count].Number}"); r.EnsureSuccessStatusCode(); });
await Report(n, "per poll");

var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host("127.0.0.1", vhost, h => { h.Username("guest"); h.Password("guest"); }));
await bus.StartAsync();
await States(warm, false);
await Reset();
await States(list, true);
await bus.StopAsync();

async Task States(List<(long Number, Guid JobId)> list, bool measure)
{
    var perfS = measure ? StartPerf("states") : null;
    var pgS = await PgCpu();
    var cpuS = Cpu();
    var swS = Stopwatch.StartNew();
    var states = new[] { "Queued", "Dispatched", "Running", "Completed" };
    var now = DateTimeOffset.UtcNow;
    for (var s = 0; s < states.Length; s++)
        await Task.WhenAll(list.Select(j => bus.Publish(new JobStateChanged(j.JobId, j.Number, states[s], s + 1, now.AddMilliseconds(s), s >= 1 ? "local" : null,
            states[s] == "Completed" ? 0 : null, null, s >= 1 ? 1 : 0, states[s] == "Completed" ? "Succeeded" : null, s >= 1 ? now.AddMilliseconds(1) : null))));
    var numbers = list.Select(j => j.Number).ToArray();
    while (true)
    {
        await using var cn = new NpgsqlConnection(conn);
        await cn.OpenAsync();
        await using var cmd = new NpgsqlCommand("select count(*) from api.jobs where number = any(@n) and state = 'Completed'", cn);
        cmd.Parameters.AddWithValue("n", numbers);
        if ((long)(await cmd.ExecuteScalarAsync())! == list.Count) break;
        await Task.Delay(100);
    }
    var cpuSt = Cpu() - cpuS;
    var pgSt = await PgCpuSince(pgS);
    await StopPerf(perfS);
    Console.WriteLine($"{(measure ? "" : "warm-up ")}state changes: {list.Count * 4} in {swS.Elapsed.TotalSeconds:F1} s, Api CPU {cpuSt:F0} ms = {cpuSt / (list.Count * 4):F2} ms each; its PostgreSQL backends {pgSt / (list.Count * 4):F2} ms each");
    if (measure) await Report(list.Count * 4, "per state change");
}

async Task Reset()
{
    await Task.Delay(1500); // let the outbox dispatcher settle
    await PgAdmin(dbname, $"select pg_stat_statements_reset(0, {dbid}, 0)");
}

async Task Report(int count, string what)
{
    await Task.Delay(1500);
    var psi = new ProcessStartInfo("su", ["postgres", "-c", $"psql -d {dbname} -At -F '|' -c \"select calls, round(total_exec_time::numeric * 1000 / calls, 1), left(regexp_replace(query, '\\s+', ' ', 'g'), 140) from pg_stat_statements where dbid = {dbid} order by calls desc\""]) { RedirectStandardOutput = true };
    using var p = Process.Start(psi)!;
    var output = await p.StandardOutput.ReadToEndAsync();
    await p.WaitForExitAsync();
    long total = 0;
    foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
    {
        var parts = line.Split('|', 3);
        var calls = long.Parse(parts[0]);
        total += calls;
        Console.WriteLine($"   {calls / (double)count,6:F2} {what} {parts[1],7} us  {parts[2]}");
    }
    Console.WriteLine($"   {total / (double)count,6:F2} statements {what} (all)");
}

static async Task PgAdmin(string db, string sql)
{
    var psi = new ProcessStartInfo("su", ["postgres", "-c", $"psql -d {db} -q -At -c \"{sql}\""]) { RedirectStandardOutput = true };
    using var p = Process.Start(psi)!;
    await p.StandardOutput.ReadToEndAsync();
    await p.WaitForExitAsync();
}

Process? StartPerf(string name)
{
    var dir = Environment.GetEnvironmentVariable("PERF_DIR");
    if (dir is null || name.StartsWith("warm")) return null;
    var file = Path.Combine(dir, new string(name.Where(char.IsLetter).ToArray()) + ".data");
    var p = Process.Start(new ProcessStartInfo("perf", ["record", "-F", "999", "-g", "-p", pid.ToString(), "-o", file]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
    Thread.Sleep(500);
    return p;
}

async Task StopPerf(Process? p)
{
    if (p is null) return;
    System.Diagnostics.Process.Start("kill", ["-INT", p.Id.ToString()]).WaitForExit();
    await p.WaitForExitAsync();
}
