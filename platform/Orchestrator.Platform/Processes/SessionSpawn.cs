using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Orchestrator.Platform.Processes;

/// <summary>
/// Starts a program in a session of its own with <c>posix_spawn</c> (<c>POSIX_SPAWN_SETSID</c>, glibc 2.26), instead of
/// through <see cref="System.Diagnostics.Process"/> and a <c>setsid</c> program: one exec fewer per run. Such a child
/// is not known to .NET's <c>Process</c> class, which reaps only the processes it started itself (except when it runs
/// as pid 1 or SIGCHLD was ignored), so <see cref="ChildReaper"/> reaps it.
/// </summary>
internal static class SessionSpawn
{
    const short SetSignalDefaults = 0x04; // POSIX_SPAWN_SETSIGDEF
    const short SetSignalMask = 0x08;     // POSIX_SPAWN_SETSIGMASK
    const short SetSession = 0x80;        // POSIX_SPAWN_SETSID
    const int ReadWrite = 2;              // O_RDWR

    // posix_spawnattr_t (336 bytes) and posix_spawn_file_actions_t (80) are opaque to us; glibc's and musl's fit in this.
    const int OpaqueSize = 1024;

    // sigset_t of glibc and musl on Linux: a bit per signal, 1024 of them.
    const int SignalSetSize = 128;

    /// <summary>
    /// The attributes every run shares, set up once: a new session, no blocked signals, and every signal at its
    /// default action. .NET ignores SIGPIPE in its own process, and an ignored signal stays ignored across exec;
    /// a script's pipeline (<c>producer | head</c>) should see SIGPIPE as it would from a login shell. The set is
    /// written bit by bit rather than with sigfillset, which leaves out glibc's two internal signals (32 and 33); glibc's
    /// posix_spawn would then hand them to the child ignored.
    /// </summary>
    static readonly Lazy<IntPtr> Attributes = new(CreateAttributes);

    static readonly Lazy<bool> CanChangeDirectory = new(() => HasExport("posix_spawn_file_actions_addchdir_np"));
    static readonly Lazy<bool> CanCloseFrom = new(() => HasExport("posix_spawn_file_actions_addclosefrom_np"));

    /// <summary>Whether the child can be started in its directory (glibc 2.29); otherwise the caller's script changes to it.</summary>
    public static bool ChangesDirectory => CanChangeDirectory.Value;

    /// <summary>Whether descriptors above stderr that this process did not open close-on-exec are closed in the child (glibc 2.34).</summary>
    public static bool ClosesInheritedDescriptors => CanCloseFrom.Value;

    /// <summary>
    /// Starts <paramref name="path"/> with exactly <paramref name="arguments"/> (the first is its name) and
    /// <paramref name="environment"/> (<c>NAME=value</c>), in <paramref name="directory"/> when given and
    /// <see cref="ChangesDirectory"/> (else in this process's), with stdin, stdout and stderr on /dev/null and, where
    /// glibc can (2.34), no other descriptor of this process left open: .NET opens its own close-on-exec, but one the
    /// service inherited (a supervisor's pipe) would otherwise outlive it in the run. Returns the pid once the program
    /// is executing.
    /// </summary>
    public static int Start(string path, IReadOnlyList<string> arguments, IReadOnlyList<string> environment, string? directory)
    {
        var actions = Marshal.AllocHGlobal(OpaqueSize);
        var argv = ToNative(arguments);
        var envp = ToNative(environment);
        try
        {
            Check(posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init");
            try
            {
                // One /dev/null for all three, so it is opened for writing too: what the wrapper writes is dropped, not refused.
                Check(posix_spawn_file_actions_addopen(actions, 0, "/dev/null", ReadWrite, 0), "posix_spawn_file_actions_addopen");
                Check(posix_spawn_file_actions_adddup2(actions, 0, 1), "posix_spawn_file_actions_adddup2");
                Check(posix_spawn_file_actions_adddup2(actions, 0, 2), "posix_spawn_file_actions_adddup2");
                if (CanCloseFrom.Value)
                    Check(posix_spawn_file_actions_addclosefrom_np(actions, 3), "posix_spawn_file_actions_addclosefrom_np");
                if (directory is not null && CanChangeDirectory.Value)
                    Check(posix_spawn_file_actions_addchdir_np(actions, directory), "posix_spawn_file_actions_addchdir_np");

                var error = posix_spawn(out var pid, path, actions, Attributes.Value, argv, envp);
                if (error != 0)
                    throw new Win32Exception(error, $"{path} could not be started: {new Win32Exception(error).Message}");
                return pid;
            }
            finally
            {
                _ = posix_spawn_file_actions_destroy(actions);
            }
        }
        finally
        {
            Free(argv);
            Free(envp);
            Marshal.FreeHGlobal(actions);
        }
    }

    static IntPtr CreateAttributes()
    {
        var attributes = Marshal.AllocHGlobal(OpaqueSize);
        var signals = Marshal.AllocHGlobal(SignalSetSize);
        try
        {
            Check(posix_spawnattr_init(attributes), "posix_spawnattr_init");
            Check(posix_spawnattr_setflags(attributes, SetSession | SetSignalMask | SetSignalDefaults), "posix_spawnattr_setflags");
            var set = new byte[SignalSetSize];
            Marshal.Copy(set, 0, signals, SignalSetSize);
            Check(posix_spawnattr_setsigmask(attributes, signals), "posix_spawnattr_setsigmask");
            Array.Fill(set, (byte)0xff);
            Marshal.Copy(set, 0, signals, SignalSetSize);
            Check(posix_spawnattr_setsigdefault(attributes, signals), "posix_spawnattr_setsigdefault");
            // Kept for the life of the process and shared: posix_spawn only reads it.
            return attributes;
        }
        finally
        {
            Marshal.FreeHGlobal(signals);
        }
    }

    static bool HasExport(string name) =>
        NativeLibrary.TryLoad("libc", typeof(SessionSpawn).Assembly, null, out var libc) && NativeLibrary.TryGetExport(libc, name, out _);

    static void Check(int error, string call)
    {
        if (error != 0)
            throw new Win32Exception(error, $"{call} failed: {new Win32Exception(error).Message}");
    }

    /// <summary>A NULL-terminated array of NUL-terminated UTF-8 strings, as argv and envp are.</summary>
    static IntPtr[] ToNative(IReadOnlyList<string> strings)
    {
        var native = new IntPtr[strings.Count + 1];
        for (var i = 0; i < strings.Count; i++)
            native[i] = Marshal.StringToCoTaskMemUTF8(strings[i]);
        return native;
    }

    static void Free(IntPtr[] strings)
    {
        foreach (var s in strings)
            Marshal.FreeCoTaskMem(s);
    }

    [DllImport("libc")]
    static extern int posix_spawn(out int pid, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr fileActions, IntPtr attributes, IntPtr[] argv, IntPtr[] envp);

    [DllImport("libc")]
    static extern int posix_spawn_file_actions_init(IntPtr actions);

    [DllImport("libc")]
    static extern int posix_spawn_file_actions_destroy(IntPtr actions);

    [DllImport("libc")]
    static extern int posix_spawn_file_actions_addopen(IntPtr actions, int fd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mode);

    [DllImport("libc")]
    static extern int posix_spawn_file_actions_adddup2(IntPtr actions, int fd, int newFd);

    [DllImport("libc")]
    static extern int posix_spawn_file_actions_addclosefrom_np(IntPtr actions, int fromFd);

    [DllImport("libc")]
    static extern int posix_spawn_file_actions_addchdir_np(IntPtr actions, [MarshalAs(UnmanagedType.LPUTF8Str)] string path);

    [DllImport("libc")]
    static extern int posix_spawnattr_init(IntPtr attributes);

    [DllImport("libc")]
    static extern int posix_spawnattr_setflags(IntPtr attributes, short flags);

    [DllImport("libc")]
    static extern int posix_spawnattr_setsigmask(IntPtr attributes, IntPtr signals);

    [DllImport("libc")]
    static extern int posix_spawnattr_setsigdefault(IntPtr attributes, IntPtr signals);
}
