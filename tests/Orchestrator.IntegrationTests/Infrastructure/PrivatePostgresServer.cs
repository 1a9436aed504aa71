using Npgsql;

namespace Orchestrator.IntegrationTests.Infrastructure;

/// <summary>
/// A PostgreSQL server of the test's own: a fresh cluster in a temporary directory on a free loopback port, which a
/// test may stop, crash and start again without touching the shared server other tests and agents use. It has the
/// role <c>orchestrator</c> (password <c>orchestrator</c>, CREATEDB) and a database <c>orchestrator</c>.
/// The cluster belongs to the <c>postgres</c> OS user when the tests run as root (initdb refuses root), to the
/// current user otherwise. Dispose stops it and removes its directory.
/// </summary>
public sealed class PrivatePostgresServer : IAsyncDisposable
{
    public const string Role = "orchestrator";
    public const string Password = "orchestrator";
    public const string DatabaseName = "orchestrator";

    static readonly bool RunsAsRoot = Environment.UserName == "root";

    readonly string _binDirectory;
    readonly string _root;

    PrivatePostgresServer(string binDirectory, string root, int port)
    {
        _binDirectory = binDirectory;
        _root = root;
        Port = port;
    }

    public int Port { get; }

    public string DataDirectory => Path.Combine(_root, "data");

    /// <summary>The server's log file, for failure messages.</summary>
    public string LogFile => Path.Combine(_root, "server.log");

    public bool IsRunning { get; private set; }

    /// <summary>The orchestrator role's connection string to <paramref name="database"/> (default <c>orchestrator</c>).</summary>
    public string ConnectionString(string database = DatabaseName) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = Role,
            Password = Password,
            Database = database,
        }.ConnectionString;

    /// <summary>Creates the cluster, starts it and sets up the role and database.</summary>
    public static async Task<PrivatePostgresServer> CreateAsync()
    {
        var bin = FindBinDirectory();
        var root = Path.Combine(Path.GetTempPath(), $"orch-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        var server = new PrivatePostgresServer(bin, root, ServiceProcess.FreePort());
        try
        {
            if (RunsAsRoot)
                await RunAsync("chown", ["postgres:postgres", root]);
            // trust on loopback only: a throw-away cluster of the test machine; passwords are still sent and ignored.
            await server.RunToolAsync("initdb", ["-D", server.DataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
            await server.StartAsync();
            await server.AsSuperuserAsync(
                $"CREATE ROLE \"{Role}\" LOGIN CREATEDB PASSWORD '{Password}'",
                $"CREATE DATABASE \"{DatabaseName}\" OWNER \"{Role}\"");
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the stopped server again on the same port and data, and waits until it accepts connections.</summary>
    public async Task StartAsync()
    {
        // -k keeps the Unix socket in the private directory, away from the shared server's /var/run/postgresql.
        var options = $"-p {Port} -c listen_addresses=127.0.0.1 -k {_root} -c fsync=off -c max_connections=200";
        await RunToolAsync("pg_ctl", ["-D", DataDirectory, "-l", LogFile, "-o", options, "-w", "-t", "60", "start"]);
        IsRunning = true;
    }

    /// <summary>
    /// Stops the server: <c>fast</c> (default) disconnects clients and shuts down cleanly, <c>immediate</c> ends it
    /// like a crash (recovery runs at the next start).
    /// </summary>
    public async Task StopAsync(string mode = "fast")
    {
        if (!IsRunning)
            return;
        await RunToolAsync("pg_ctl", ["-D", DataDirectory, "-m", mode, "-w", "-t", "60", "stop"]);
        IsRunning = false;
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>Runs statements as the cluster's superuser on database <c>postgres</c>.</summary>
    public async Task AsSuperuserAsync(params string[] statements)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = "postgres",
            Database = "postgres",
            Pooling = false,
        };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        foreach (var sql in statements)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }
    }

    /// <summary>Creates one more database owned by the orchestrator role and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await AsSuperuserAsync($"CREATE DATABASE \"{name}\" OWNER \"{Role}\"");
        return ConnectionString(name);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync("immediate");
        }
        catch (InvalidOperationException)
        {
            // A server that never started has nothing to stop; the directory goes all the same.
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    Task RunToolAsync(string tool, IReadOnlyList<string> arguments)
    {
        var path = Path.Combine(_binDirectory, tool);
        return RunsAsRoot
            ? RunAsync("runuser", ["-u", "postgres", "--", path, .. arguments])
            : RunAsync(path, arguments);
    }

    static async Task RunAsync(string file, IReadOnlyList<string> arguments)
    {
        // The postgres user may not enter the test's working directory.
        var (exitCode, output, error) = await ExternalProgram.RunAsync(file, arguments, TimeSpan.FromSeconds(120), workingDirectory: Path.GetTempPath());
        if (exitCode != 0)
            throw new InvalidOperationException(
                $"{file} {string.Join(' ', arguments)} exited with {exitCode}:{Environment.NewLine}{output}{error}");
    }

    /// <summary>The newest PostgreSQL server installed by the Debian packages (what start-services.sh installs).</summary>
    static string FindBinDirectory()
    {
        const string packages = "/usr/lib/postgresql";
        var bin = Directory.Exists(packages)
            ? Directory.GetDirectories(packages)
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;
        return bin ?? throw new InvalidOperationException(
            $"No PostgreSQL server under {packages}: run deploy/scripts/start-services.sh, which installs it.");
    }
}
