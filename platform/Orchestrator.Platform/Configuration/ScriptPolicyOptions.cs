namespace Orchestrator.Platform.Configuration;

/// <summary>
/// The sanity check of a job's <c>run.sh</c> at submission (<c>Orchestrator:Services:{name}:ScriptPolicy</c>): each
/// category of rules can be switched off for a service whose scripts legitimately need it. Every category is on by
/// default, as in the WeNMR orchestrator's validator. It is not a sandbox: see docs/security.md.
/// </summary>
public sealed class ScriptPolicyOptions
{
    /// <summary>Whether scripts are checked at all (default true).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Largest <c>run.sh</c> accepted, in bytes (default 20 MiB, as the WeNMR orchestrator).</summary>
    public long MaxScriptBytes { get; set; } = 20L * 1024 * 1024;

    /// <summary><c>rm</c> of absolute or home paths, <c>mkfs</c>, <c>dd</c> on devices, <c>shred</c>, writes to disks.</summary>
    public bool DestructiveCommands { get; set; } = true;

    /// <summary><c>/etc/passwd</c>, <c>/etc/shadow</c>, <c>/etc/sudoers</c>, <c>~/.ssh</c>, <c>/root</c>, <c>/proc</c> (beyond cpuinfo and the like), <c>/sys</c>, the docker socket.</summary>
    public bool SensitivePaths { get; set; } = true;

    /// <summary><c>curl</c>, <c>wget</c>, <c>nc</c>, <c>socat</c>, <c>ssh</c>, <c>scp</c>, <c>rsync</c>, <c>telnet</c>, <c>ftp</c>.</summary>
    public bool NetworkTools { get; set; } = true;

    /// <summary><c>/dev/tcp/</c>, <c>/dev/udp/</c>, interactive shells wired to descriptors.</summary>
    public bool ReverseShells { get; set; } = true;

    /// <summary><c>sudo</c>, <c>su</c>, <c>doas</c>, <c>pkexec</c>, <c>chown</c>, <c>setcap</c>, setuid <c>chmod</c>.</summary>
    public bool PrivilegeEscalation { get; set; } = true;

    /// <summary><c>chroot</c>, <c>nsenter</c>, <c>unshare</c>, <c>mount</c>, <c>docker</c>, <c>podman</c>, <c>kubectl</c> and the like.</summary>
    public bool ContainerEscape { get; set; } = true;

    /// <summary><c>sysctl</c>, <c>modprobe</c>, <c>insmod</c>, <c>rmmod</c>, <c>iptables</c>, <c>nft</c>, <c>ufw</c>.</summary>
    public bool KernelAndFirewall { get; set; } = true;

    /// <summary>base64 (or hex) decoded into a shell, <c>eval</c>, inline code: <c>python -c</c>, <c>perl -e</c>, <c>ruby -e</c>, <c>node -e</c>.</summary>
    public bool ObfuscatedCode { get; set; } = true;

    /// <summary><c>crontab</c>, <c>/etc/cron*</c>, <c>systemctl</c>, <c>service</c>, <c>at</c>, <c>setsid</c> (leaving the job's session).</summary>
    public bool Persistence { get; set; } = true;

    /// <summary>Functions that pipe into themselves in the background (<c>:(){ :|:&amp; };:</c>).</summary>
    public bool ForkBombs { get; set; } = true;

    /// <summary>Miners (<c>xmrig</c>, <c>minerd</c>, <c>cpuminer</c>, <c>stratum+tcp://</c>) and stress tools (<c>stress</c>, <c>stress-ng</c>).</summary>
    public bool MinersAndStress { get; set; } = true;

    /// <summary>References to secret-looking variables: <c>$AWS_*</c>, <c>$SECRET*</c>, <c>*_TOKEN</c>, <c>*PASSWORD*</c>, <c>*API_KEY*</c>.</summary>
    public bool SecretVariables { get; set; } = true;
}
