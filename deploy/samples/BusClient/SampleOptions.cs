namespace Orchestrator.Samples.BusClient;

/// <summary>The sample's command line: an optional script, then <c>--name value</c> pairs.</summary>
public sealed record SampleOptions(
    string Script,
    string Host,
    string VirtualHost,
    string Username,
    string Password,
    int UserId,
    string? MessageDataDirectory,
    TimeSpan Timeout)
{
    public static SampleOptions Parse(string[] args)
    {
        var script = "echo hello from the bus > output.txt\n";
        var named = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length)
                named[args[i][2..]] = args[++i];
            else
                script = File.ReadAllText(args[i]);
        }

        string Get(string name, string fallback) => named.TryGetValue(name, out var value) ? value : fallback;
        return new SampleOptions(
            script,
            Get("host", "127.0.0.1"),
            Get("vhost", "/"),
            Get("username", "guest"),
            Get("password", "guest"),
            int.Parse(Get("user", "1"), System.Globalization.CultureInfo.InvariantCulture),
            named.GetValueOrDefault("message-data"),
            TimeSpan.FromSeconds(int.Parse(Get("timeout", "300"), System.Globalization.CultureInfo.InvariantCulture)));
    }
}
