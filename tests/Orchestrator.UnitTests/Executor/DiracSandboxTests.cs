using System.Formats.Tar;
using System.Security.Cryptography;
using ICSharpCode.SharpZipLib.BZip2;
using Orchestrator.Executor.Destinations.Dirac;
using ZstdSharp;

namespace Orchestrator.UnitTests.Executor;

public sealed class DiracSandboxTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), $"dirac-sandbox-{Guid.NewGuid():N}");

    public DiracSandboxTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task A_job_directory_is_packed_as_tar_bz2_named_by_its_sha256_and_unpacks_the_same()
    {
        var source = Directory.CreateDirectory(Path.Combine(_root, "job")).FullName;
        await File.WriteAllTextAsync(Path.Combine(source, "run.sh"), "echo hi\n");
        Directory.CreateDirectory(Path.Combine(source, "data"));
        await File.WriteAllTextAsync(Path.Combine(source, "data", "input.txt"), "input");

        var (archive, sha256) = await DiracSandbox.PackAsync(source, CancellationToken.None);

        Assert.Equal("BZh"u8.ToArray(), archive[..3]);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(archive)), sha256);
        var target = Directory.CreateDirectory(Path.Combine(_root, "out")).FullName;
        await DiracSandbox.UnpackAsync(new MemoryStream(archive), target, CancellationToken.None);
        Assert.Equal("echo hi\n", await File.ReadAllTextAsync(Path.Combine(target, "run.sh")));
        Assert.Equal("input", await File.ReadAllTextAsync(Path.Combine(target, "data", "input.txt")));
    }

    [Fact]
    public async Task A_tar_zst_output_sandbox_as_DiracX_writes_it_is_unpacked()
    {
        var archive = Tar(stream => new CompressionStream(stream, leaveOpen: true), ("result.txt", "42"));
        var target = Directory.CreateDirectory(Path.Combine(_root, "zst")).FullName;

        await DiracSandbox.UnpackAsync(new MemoryStream(archive), target, CancellationToken.None);

        Assert.Equal("42", await File.ReadAllTextAsync(Path.Combine(target, "result.txt")));
    }

    [Fact]
    public async Task A_tar_bz2_output_sandbox_overwrites_files_of_the_same_name()
    {
        var target = Directory.CreateDirectory(Path.Combine(_root, "bz2")).FullName;
        await File.WriteAllTextAsync(Path.Combine(target, "stdout.log"), "old");
        var archive = Tar(stream => new BZip2OutputStream(stream) { IsStreamOwner = false }, ("stdout.log", "new"));

        await DiracSandbox.UnpackAsync(new MemoryStream(archive), target, CancellationToken.None);

        Assert.Equal("new", await File.ReadAllTextAsync(Path.Combine(target, "stdout.log")));
    }

    [Fact]
    public async Task An_entry_outside_the_job_directory_is_refused()
    {
        var archive = Tar(stream => new BZip2OutputStream(stream) { IsStreamOwner = false }, ("../escaped.txt", "bad"));
        var target = Directory.CreateDirectory(Path.Combine(_root, "traversal")).FullName;

        await Assert.ThrowsAnyAsync<IOException>(() => DiracSandbox.UnpackAsync(new MemoryStream(archive), target, CancellationToken.None));
        Assert.False(File.Exists(Path.Combine(_root, "escaped.txt")));
    }

    [Fact]
    public async Task Garbage_is_a_clear_error_not_a_crash()
    {
        var garbage = "BZh9 this is not bzip2 at all"u8.ToArray();
        var target = Directory.CreateDirectory(Path.Combine(_root, "garbage")).FullName;

        var error = await Assert.ThrowsAsync<DiracProtocolException>(() => DiracSandbox.UnpackAsync(new MemoryStream(garbage), target, CancellationToken.None));
        Assert.Contains("not a readable archive", error.Message);
    }

    static byte[] Tar(Func<Stream, Stream> compress, params (string Name, string Content)[] files)
    {
        using var archive = new MemoryStream();
        using (var compressed = compress(archive))
        using (var tar = new TarWriter(compressed, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, content) in files)
            {
                var entry = new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content)) };
                tar.WriteEntry(entry);
            }
        }

        return archive.ToArray();
    }
}
