using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using ICSharpCode.SharpZipLib.BZip2;
using ZstdSharp;

namespace Orchestrator.Executor.Destinations.Dirac;

/// <summary>
/// Sandboxes as DiracX stores them: a compressed tar, named by its SHA-256. We send <c>tar.bz2</c> (a format both
/// DiracX and legacy DIRAC accept) and read back <c>tar.bz2</c>, <c>tar.zst</c> (DiracX's own client), gzip or plain tar,
/// told apart by their first bytes.
/// </summary>
public static class DiracSandbox
{
    /// <summary>DiracX refuses larger sandboxes (its <c>MAX_SANDBOX_SIZE_BYTES</c>).</summary>
    public const long MaxBytes = 100L * 1024 * 1024;

    public const string Format = "tar.bz2";

    /// <summary>The files under <paramref name="directory"/> as a tar.bz2, with its SHA-256 in lower-case hex.</summary>
    public static async Task<(byte[] Archive, string Sha256)> PackAsync(string directory, CancellationToken cancellationToken)
    {
        using var archive = new MemoryStream();
        await using (var bzip2 = new BZip2OutputStream(archive) { IsStreamOwner = false })
            await TarFile.CreateFromDirectoryAsync(directory, bzip2, includeBaseDirectory: false, cancellationToken);
        var bytes = archive.ToArray();
        if (bytes.Length > MaxBytes)
            throw new DiracProtocolException($"The job's input sandbox is {bytes.Length} bytes; DiracX takes at most {MaxBytes}.");
        return (bytes, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    /// <summary>Unpacks a sandbox (a seekable stream) into <paramref name="directory"/>, overwriting files of the same name.</summary>
    public static async Task UnpackAsync(Stream archive, string directory, CancellationToken cancellationToken)
    {
        var magic = new byte[4];
        var read = await archive.ReadAtLeastAsync(magic, magic.Length, throwOnEndOfStream: false, cancellationToken);
        archive.Position = 0;
        try
        {
            await using var tar = Decompress(archive, magic.AsSpan(0, read));
            await TarFile.ExtractToDirectoryAsync(tar, directory, overwriteFiles: true, cancellationToken);
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or EndOfStreamException
                                       or ICSharpCode.SharpZipLib.SharpZipBaseException or ZstdException)
        {
            throw new DiracProtocolException($"The output sandbox is not a readable archive: {ex.Message}", ex);
        }
    }

    static Stream Decompress(Stream archive, ReadOnlySpan<byte> magic)
    {
        if (magic.StartsWith("BZh"u8))
            return new BZip2InputStream(archive) { IsStreamOwner = false };
        if (magic.StartsWith((ReadOnlySpan<byte>)[0x28, 0xB5, 0x2F, 0xFD]))
            return new DecompressionStream(archive, leaveOpen: true);
        if (magic.StartsWith((ReadOnlySpan<byte>)[0x1F, 0x8B]))
            return new GZipStream(archive, CompressionMode.Decompress, leaveOpen: true);
        return archive;
    }
}
