using System.Diagnostics;
using System.Runtime.InteropServices;
using Orchestrator.Platform.Configuration;
using Orchestrator.Platform.Processes;

namespace Orchestrator.UnitTests.Platform;

/// <summary>The launcher with real processes: what a run gets, how it ends, and who reaps it.</summary>
public sealed class LocalProcessLauncherTests : IDisposable
{
    const int CpuLimit = 0;              // RLIMIT_CPU
    const int DropFromBoundingSet = 24;  // PR_CAPBSET_DROP
    const int SysResource = 24;          // CAP_SYS_RESOURCE

    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    readonly List<string> _directories = [];

    /// <summary>Every wrapper shell, whichever this machine would use.</summary>
    public static TheoryData<string> Shells => ["dash", "bash"];

    public void Dispose()
    {
        foreach (var directory in _directories)
            Directory.Delete(directory, recursive: true);
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public async Task A_run_leads_a_session_of_its_own_without_a_terminal_and_its_exit_code_is_returned_and_recorded(string shell)
    {
        var directory = JobDirectory("echo $$ > run.pid\ntouch started\nwhile [ ! -e go ]; do sleep 0.05; done\nexit 7\n");

        var process = Start(directory, shell);
        await UntilAsync(() => File.Exists(Path.Combine(directory, "started")), "run.sh to start");

        Assert.NotNull(process.StartTicks);
        Assert.True(ProcessProbe.IsAlive(process.Id, process.StartTicks));
        var wrapper = Stat(process.Id);
        Assert.Equal((process.Id, process.Id, 0), (wrapper.Group, wrapper.Session, wrapper.Terminal));
        var script = Stat(int.Parse(Read(directory, "run.pid")));
        Assert.Equal((process.Id, process.Id, process.Id, 0), (script.Parent, script.Group, script.Session, script.Terminal));
        Assert.NotEqual(Stat(Environment.ProcessId).Session, wrapper.Session);

        await File.WriteAllTextAsync(Path.Combine(directory, "go"), "");
        Assert.Equal(7, await process.Exited.WaitAsync(Deadline));
        Assert.Equal(7, LocalProcessLauncher.ReadExitCode(directory));
        Assert.False(ProcessProbe.IsAlive(process.Id, process.StartTicks));
    }

    [Theory]
    [InlineData("dash", false)]
    [InlineData("dash", true)]
    [InlineData("bash", false)]
    [InlineData("bash", true)]
    public async Task A_run_gets_a_clean_environment_null_stdin_its_output_in_files_default_signals_and_none_of_the_services_descriptors(
        string shell, bool scriptChangesDirectory)
    {
        Environment.SetEnvironmentVariable("LAUNCHER_TEST_SECRET", "not for jobs");
        var directory = JobDirectory("""
            env > env.txt
            readlink /proc/$$/fd/0 /proc/$PPID/fd/0 /proc/$PPID/fd/1 /proc/$PPID/fd/2 > stdio.txt
            ls /proc/$PPID/fd > wrapper-fds.txt
            grep '^flags' /proc/$PPID/fdinfo/2 > wrapper-stderr-flags.txt
            grep -E '^Sig(Blk|Ign)' /proc/self/status > signals.txt
            pwd -P > pwd.txt
            echo out
            echo err >&2
            """);
        var jobId = Guid.NewGuid();
        var variables = new Dictionary<string, string>
        {
            ["GREETING"] = "hello world",
            ["PATH"] = "/tmp/evil",
            ["HOME"] = "/tmp/evil",
            ["LD_PRELOAD"] = "/tmp/evil.so",
            ["ORCHESTRATOR_JOB_ID"] = "forged",
        };

        // A descriptor this process leaves open across exec, as a service may inherit one from its supervisor.
        var inherited = new int[2];
        Assert.Equal(0, pipe(inherited));
        try
        {
            var pid = LocalProcessLauncher.Spawn(directory, jobId, variables, null, Shell(shell), scriptChangesDirectory);
            Assert.Equal(0, await RunProcess.Follow(pid, directory).Exited.WaitAsync(Deadline));
        }
        finally
        {
            _ = close(inherited[0]);
            _ = close(inherited[1]);
        }

        var environment = File.ReadAllLines(Path.Combine(directory, "env.txt")).Select(line => line.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair[1]);
        // PWD, SHLVL and _ are bash's own.
        Assert.Equal(["GREETING", "HOME", "LANG", "ORCHESTRATOR_JOB_ID", "PATH", "PWD", "SHLVL", "_"], environment.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("hello world", environment["GREETING"]);
        Assert.Equal(directory, environment["HOME"]);
        Assert.Equal("/usr/local/bin:/usr/bin:/bin", environment["PATH"]);
        Assert.Equal(jobId.ToString(), environment["ORCHESTRATOR_JOB_ID"]);
        Assert.Equal(directory, Read(directory, "pwd.txt"));

        Assert.Equal(["/dev/null", "/dev/null", "/dev/null", "/dev/null"], File.ReadAllLines(Path.Combine(directory, "stdio.txt")));
        // The wrapper's stderr takes writes (O_WRONLY or O_RDWR in the octal flags), so its own notes are dropped, not refused.
        Assert.NotEqual(0, Convert.ToInt32(Read(directory, "wrapper-stderr-flags.txt").Split('\t')[^1], 8) & 3);
        if (SessionSpawn.ClosesInheritedDescriptors)
            Assert.Equal(["0", "1", "2"], File.ReadAllLines(Path.Combine(directory, "wrapper-fds.txt")).Order(StringComparer.Ordinal));
        Assert.Equal(["SigBlk:\t0000000000000000", "SigIgn:\t0000000000000000"], File.ReadAllLines(Path.Combine(directory, "signals.txt")));
        Assert.Equal("out", Read(directory, LocalProcessLauncher.StdoutFile));
        Assert.Equal("err", Read(directory, LocalProcessLauncher.StderrFile));
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public async Task Limits_bind_run_sh_and_what_it_starts(string shell)
    {
        var directory = JobDirectory("bash -c 'ulimit -S -t; ulimit -H -t; ulimit -v; ulimit -u; ulimit -f' > limits.txt\n");
        var resources = new ResourceOptions { CpuTimeSeconds = 100, MemoryMb = 4096, MaxProcesses = 1000, MaxFileSizeMb = 100 };

        Assert.Equal(0, await Start(directory, shell, resources).Exited.WaitAsync(Deadline));

        // CPU seconds (soft, and the hard limit a second above), then KiB of address space, processes, KiB of file.
        Assert.Equal(["100", "101", "4194304", "1000", "102400"], File.ReadAllLines(Path.Combine(directory, "limits.txt")));
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public async Task A_limit_that_cannot_be_set_stops_the_run_before_run_sh(string shell)
    {
        var directory = JobDirectory("touch ran\n");
        var resources = new ResourceOptions { CpuTimeSeconds = 4_000_000 };

        // Raising a hard limit needs CAP_SYS_RESOURCE. The tests may run as root, so the hard CPU limit is lowered
        // below the one asked for and the run is started from a thread that dropped that capability from its bounding
        // set: a per-thread set, inherited by what the thread starts, so the rest of this process keeps it.
        var original = new ulong[2];
        Assert.Equal(0, getrlimit(CpuLimit, original));
        var lowered = Math.Min(original[1], 3_000_000UL);
        Assert.Equal(0, setrlimit(CpuLimit, [lowered, lowered]));
        RunProcess? process = null;
        try
        {
            var launcher = new Thread(() =>
            {
                _ = prctl(DropFromBoundingSet, SysResource, 0, 0, 0);
                process = Start(directory, shell, resources);
            });
            launcher.Start();
            launcher.Join();
        }
        finally
        {
            // Only a process that may raise limits again gets its own back; anyone else keeps the lowered one.
            _ = setrlimit(CpuLimit, original);
        }

        Assert.Equal(LocalProcessLauncher.LimitsNotApplied, await process!.Exited.WaitAsync(Deadline));
        Assert.Equal(LocalProcessLauncher.LimitsNotApplied, LocalProcessLauncher.ReadExitCode(directory));
        Assert.False(File.Exists(Path.Combine(directory, "ran")), "run.sh should not have run without its limits");
        Assert.Equal("resource limits could not be set", Read(directory, LocalProcessLauncher.StderrFile));
        Assert.Contains("could not be set", LocalProcessLauncher.LimitExceeded(LocalProcessLauncher.LimitsNotApplied, resources));
    }

    [Theory]
    [InlineData("dash", "XCPU", 152)]
    [InlineData("dash", "XFSZ", 153)]
    [InlineData("bash", "XCPU", 152)]
    [InlineData("bash", "XFSZ", 153)]
    public async Task A_script_ended_by_a_signal_is_recorded_as_128_plus_the_signal(string shell, string signal, int exitCode)
    {
        var directory = JobDirectory($"kill -{signal} $$\n");
        var resources = new ResourceOptions { CpuTimeSeconds = 100, MaxFileSizeMb = 100 };

        Assert.Equal(exitCode, await Start(directory, shell, resources).Exited.WaitAsync(Deadline));
        Assert.Equal(exitCode, LocalProcessLauncher.ReadExitCode(directory));
        // The wrapper's own note of the signal is not the job's output.
        Assert.Equal("", Read(directory, LocalProcessLauncher.StderrFile));
        Assert.NotNull(LocalProcessLauncher.LimitExceeded(exitCode, resources));
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public async Task Stopping_a_run_ends_its_whole_process_group(string shell)
    {
        var directory = JobDirectory("sleep 300 &\necho $! > child.pid\necho $$ > run.pid\ntouch started\nwait\n");
        var process = Start(directory, shell);
        await UntilAsync(() => File.Exists(Path.Combine(directory, "started")), "run.sh to start its child");
        var child = int.Parse(Read(directory, "child.pid"));
        var script = int.Parse(Read(directory, "run.pid"));

        await ProcessGroup.StopAsync(process.Id, process.StartTicks, TimeSpan.FromSeconds(10));

        Assert.Equal(128 + 15, await process.Exited.WaitAsync(Deadline));
        await UntilAsync(() => !ProcessProbe.IsAlive(child, null) && !ProcessProbe.IsAlive(script, null), "run.sh and its child to be gone");
    }

    [Fact]
    public async Task Runs_and_the_Process_class_each_reap_their_own_children()
    {
        var runs = new List<(int Code, RunProcess Run)>();
        var others = new List<(int Code, Process Process)>();
        for (var i = 1; i <= 10; i++)
        {
            runs.Add((i, LocalProcessLauncher.Start(JobDirectory($"exit {i}\n"), Guid.NewGuid())));
            others.Add((100 + i, Process.Start("/bin/sh", ["-c", $"exit {100 + i}"])));
        }

        foreach (var (code, run) in runs)
            Assert.Equal(code, await run.Exited.WaitAsync(Deadline));
        foreach (var (code, other) in others)
        {
            using (other)
            {
                await other.WaitForExitAsync().WaitAsync(Deadline);
                Assert.Equal(code, other.ExitCode);
            }
        }
    }

    [Fact]
    public async Task A_run_reaped_by_someone_else_ends_with_its_recorded_exit_code_or_none()
    {
        // .NET reaps every child itself when the service is pid 1 or was started with SIGCHLD ignored. Its pid gone,
        // the child cannot be had as a pidfd either, so this also takes the reaper's thread-per-child way.
        var exited = JobDirectory("exit 5\n");
        var pid = LocalProcessLauncher.Spawn(exited, Guid.NewGuid(), null, null);
        Assert.Equal(pid, waitpid(pid, out _, 0));
        Assert.Equal(5, await RunProcess.Follow(pid, exited).Exited.WaitAsync(Deadline));

        var killed = JobDirectory("touch started\nsleep 300\n");
        pid = LocalProcessLauncher.Spawn(killed, Guid.NewGuid(), null, null);
        await UntilAsync(() => File.Exists(Path.Combine(killed, "started")), "run.sh to start");
        Assert.Equal(0, kill(-pid, 9));
        Assert.Equal(pid, waitpid(pid, out _, 0));
        Assert.Null(await RunProcess.Follow(pid, killed).Exited.WaitAsync(Deadline));
    }

    static WrapperShell Shell(string name) => name == "dash" ? WrapperShell.Dash : WrapperShell.Bash;

    /// <summary>What <see cref="LocalProcessLauncher.Start"/> does, with the wrapper in the given shell.</summary>
    static RunProcess Start(string directory, string shell, ResourceOptions? resources = null) =>
        RunProcess.Follow(LocalProcessLauncher.Spawn(directory, Guid.NewGuid(), null, resources, Shell(shell)), directory);

    string JobDirectory(string script)
    {
        var directory = Directory.CreateTempSubdirectory("launcher-").FullName;
        _directories.Add(directory);
        File.WriteAllText(Path.Combine(directory, "run.sh"), script);
        return directory;
    }

    static string Read(string directory, string file) => File.ReadAllText(Path.Combine(directory, file)).Trim();

    /// <summary>Parent, process group, session and controlling terminal of a process, from /proc.</summary>
    static (int Parent, int Group, int Session, int Terminal) Stat(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (int.Parse(fields[1]), int.Parse(fields[2]), int.Parse(fields[3]), int.Parse(fields[4]));
    }

    static async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Timed out waiting for {what}");
            await Task.Delay(20);
        }
    }

    [DllImport("libc", SetLastError = true)]
    static extern int waitpid(int pid, out int status, int options);

    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int signal);

    [DllImport("libc", SetLastError = true)]
    static extern int pipe(int[] descriptors);

    [DllImport("libc", SetLastError = true)]
    static extern int close(int descriptor);

    [DllImport("libc", SetLastError = true)]
    static extern int getrlimit(int resource, [Out] ulong[] limit);

    [DllImport("libc", SetLastError = true)]
    static extern int setrlimit(int resource, ulong[] limit);

    [DllImport("libc", SetLastError = true)]
    static extern int prctl(int option, ulong argument2, ulong argument3, ulong argument4, ulong argument5);
}
