using System.Text;
using System.Text.RegularExpressions;
using Orchestrator.Platform.Configuration;

namespace Orchestrator.Api.Scripts;

/// <summary>
/// Checks a job's <c>run.sh</c> before it is accepted: size, UTF-8, then each enabled category's patterns line by line
/// (comment lines skipped). A sanity check against the obvious, not a sandbox: a determined script gets past any
/// pattern list, so executors must be isolated as docs/security.md describes.
/// </summary>
public static class ScriptPolicy
{
    const RegexOptions Compiled = RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture;
    static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Where a word stands as a command: at the start of a line, after an operator or an opening of a sub-command, or
    /// after a command that runs its arguments; optionally with a directory in front (<c>/usr/bin/curl</c>).
    /// </summary>
    const string CommandPosition =
        @"(?:^|[;&|(){}`!]|\$\(|\b(?:then|do|else|elif|exec|xargs|nohup|time|env|nice|command|builtin|sudo|watch)\s)\s*(?:[\w.~-]*/)*";

    const string CommandEnd = @"(?=$|[\s;&|)`<>])";

    static Regex Command(string names) => new(CommandPosition + "(?:" + names + ")" + CommandEnd, Compiled, MatchTimeout);

    static Regex Command(string names, string arguments) =>
        new(CommandPosition + "(?:" + names + ")" + CommandEnd + arguments, Compiled, MatchTimeout);

    static Regex Pattern(string pattern) => new(pattern, Compiled, MatchTimeout);

    public static readonly IReadOnlyList<ScriptRule> Rules =
    [
        new(ScriptCategories.DestructiveCommands, "rm-outside-job",
            Command("rm", @"[^;&|\n]*\s['""]?(?:/|~|\$\{?HOME\b|\.\.(?:/|\s|$))"), "rm of a path outside the job's directory"),
        new(ScriptCategories.DestructiveCommands, "filesystem-tools",
            Command(@"mkfs(?:\.\w+)?|mke2fs|mkswap|wipefs|shred|fdisk|sfdisk|parted"), "a disk or filesystem tool"),
        new(ScriptCategories.DestructiveCommands, "dd-device",
            Command("dd", @"[^;&|\n]*\b(?:if|of)=/dev/(?!(?:null|zero|u?random|stdin|stdout|stderr)\b)"), "dd from or to a device"),
        new(ScriptCategories.DestructiveCommands, "write-to-disk",
            Pattern(@">\s*/dev/(?:sd|hd|vd|xvd|nvme|mmcblk|dm-|md\d|mapper/)"), "a write to a disk device"),

        new(ScriptCategories.SensitivePaths, "account-files",
            Pattern(@"/etc/(?:passwd|shadow|gshadow|sudoers|master\.passwd)\b"), "the system's account or sudo files"),
        new(ScriptCategories.SensitivePaths, "ssh-directory", Pattern(@"/\.ssh(?:/|\b)"), "an .ssh directory"),
        new(ScriptCategories.SensitivePaths, "root-home", Pattern(@"(?<![\w.-])/root(?:/|\b)"), "root's home directory"),
        new(ScriptCategories.SensitivePaths, "proc",
            Pattern(@"(?<![\w.-])/proc/(?!(?:cpuinfo|meminfo|loadavg|uptime|version|stat)\b)"), "/proc beyond cpuinfo, meminfo, loadavg, uptime, version, stat"),
        new(ScriptCategories.SensitivePaths, "sys", Pattern(@"(?<![\w.-])/sys/"), "/sys"),
        new(ScriptCategories.SensitivePaths, "container-sockets", Pattern(@"docker\.sock|containerd\.sock|/run/containerd/"), "a container runtime's socket"),

        new(ScriptCategories.NetworkTools, "network-tool",
            Command(@"curl|wget|nc|ncat|netcat|socat|ssh|scp|sftp|telnet|rsync|ftp|tftp|lftp|aria2c"), "a network tool"),

        new(ScriptCategories.ReverseShells, "dev-tcp", Pattern(@"/dev/(?:tcp|udp)/"), "a /dev/tcp or /dev/udp socket"),
        new(ScriptCategories.ReverseShells, "interactive-shell-redirect",
            Pattern(@"\b(?:ba|z|da|k)?sh\s+-i\b[^\n]*[<>]&"), "an interactive shell wired to a descriptor"),
        new(ScriptCategories.ReverseShells, "fifo-shell",
            Command("mkfifo", @"[^\n]*\|\s*(?:[\w./-]*/)?(?:ba|z|da|k)?sh\b"), "a named pipe fed into a shell"),

        new(ScriptCategories.PrivilegeEscalation, "privilege-tool",
            Command(@"sudo|su|doas|pkexec|chown|chgrp|setcap|newgrp|passwd|useradd|usermod|visudo"), "a tool that changes users or privileges"),
        new(ScriptCategories.PrivilegeEscalation, "setuid-chmod",
            Command("chmod", @"[^;&|\n]*\s(?:[ugoa]*[+=][rwxXt]*s|0?[2-7][0-7]{3})\b"), "a setuid or setgid chmod"),

        new(ScriptCategories.ContainerEscape, "namespace-tool",
            Command(@"chroot|nsenter|unshare|mount|umount|pivot_root|capsh|docker|podman|kubectl|runc|crictl|ctr|lxc|lxc-\w+"),
            "a container, namespace or mount tool"),

        new(ScriptCategories.KernelAndFirewall, "kernel-or-firewall-tool",
            Command(@"sysctl|modprobe|insmod|rmmod|depmod|kexec|iptables|ip6tables|iptables-\w+|nft|ufw|firewall-cmd"),
            "a kernel or firewall tool"),

        new(ScriptCategories.ObfuscatedCode, "decode-to-shell",
            Pattern(@"\b(?:base64|base32|xxd|openssl)\b[^\n]*\|\s*(?:[\w./-]*/)?(?:ba|z|da|k)?sh\b"), "decoded text piped into a shell"),
        new(ScriptCategories.ObfuscatedCode, "eval", Command("eval"), "eval"),
        new(ScriptCategories.ObfuscatedCode, "inline-code",
            Pattern(@"(?<![\w.-])(?:python[0-9.]*|perl|ruby|php|node|lua)\s+-(?:c|e|E)\b"), "inline interpreter code (python -c, perl -e, ...)"),

        new(ScriptCategories.Persistence, "scheduler-or-service",
            Command(@"crontab|systemctl|service|at|batch|launchctl"), "a scheduler or service manager"),
        new(ScriptCategories.Persistence, "new-session",
            Command(@"setsid|daemonize|disown"), "a way out of the job's session (outliving a cancel)"),
        new(ScriptCategories.Persistence, "system-startup-files",
            Pattern(@"/etc/(?:cron|systemd/|init\.d|rc\.local|profile\.d)"), "system start-up or cron files"),

        new(ScriptCategories.ForkBombs, "self-piping-function",
            Pattern(@"(?<name>[\w:]+)\s*\(\)\s*\{[^}]*\k<name>\s*\|\s*\k<name>\s*&"), "a function that pipes into itself in the background"),
        new(ScriptCategories.ForkBombs, "background-forever",
            Pattern(@"\bwhile\s+(?:true|:|\[\s*1\s*\])\s*;\s*do\b[^\n]*&\s*;?\s*done\b"), "an endless loop starting background processes"),

        new(ScriptCategories.MinersAndStress, "miner-or-stress-tool",
            Command(@"xmrig|minerd|cpuminer|cgminer|bfgminer|ethminer|nbminer|t-rex|lolminer|stress|stress-ng"), "a miner or stress tool"),
        new(ScriptCategories.MinersAndStress, "mining-pool", Pattern(@"stratum\+(?:tcp|ssl|tls)://"), "a mining pool address"),

        new(ScriptCategories.SecretVariables, "secret-variable",
            Pattern(@"\$\{?(?:AWS_\w+|\w*SECRET\w*|\w*TOKEN\w*|\w*PASSWORD\w*|\w*PASSWD\w*|\w*API_?KEY\w*|\w*PRIVATE_KEY\w*)"),
            "a secret-looking variable"),
    ];

    /// <summary>The first violation of <paramref name="script"/> under <paramref name="options"/>, or null when it passes.</summary>
    public static ScriptViolation? Check(ReadOnlySpan<byte> script, ScriptPolicyOptions options)
    {
        if (!options.Enabled)
            return null;
        if (script.Length > options.MaxScriptBytes)
            return TooLarge(script.Length, options);

        if (FirstInvalidUtf8(script) is { } invalid)
        {
            var line = script[..invalid].Count((byte)'\n') + 1;
            return new ScriptViolation(ScriptCategories.Format, "utf-8", line, $"run.sh line {line} is not valid UTF-8.");
        }

        var text = Encoding.UTF8.GetString(script);
        if (text.Contains('\0'))
            return new ScriptViolation(ScriptCategories.Format, "nul-byte", LineOf(text, text.IndexOf('\0')), "run.sh contains a NUL byte.");

        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.TrimStart().StartsWith('#'))
                continue;
            foreach (var rule in Rules)
            {
                if (!options.IsEnabled(rule.Category))
                    continue;
                bool matched;
                try
                {
                    matched = rule.Pattern.IsMatch(line);
                }
                catch (RegexMatchTimeoutException)
                {
                    // A line built to make a pattern backtrack is refused rather than let through unchecked.
                    matched = true;
                }

                if (matched)
                    return new ScriptViolation(rule.Category, rule.Name, i + 1, $"run.sh line {i + 1}: {rule.What} is not allowed.");
            }
        }

        return null;
    }

    public static ScriptViolation TooLarge(long size, ScriptPolicyOptions options) =>
        new(ScriptCategories.Format, "max-size", null, $"run.sh has {size} bytes; the limit is {options.MaxScriptBytes}.");

    static int? FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        var offset = 0;
        while (offset < bytes.Length)
        {
            if (Rune.DecodeFromUtf8(bytes[offset..], out _, out var consumed) != System.Buffers.OperationStatus.Done)
                return offset;
            offset += consumed;
        }

        return null;
    }

    static int LineOf(string text, int index) => text.AsSpan(0, index).Count('\n') + 1;
}
