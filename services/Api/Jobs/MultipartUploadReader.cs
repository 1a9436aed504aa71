using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Orchestrator.Platform.Processes;

namespace Orchestrator.Api.Jobs;

/// <summary>
/// Streams a multipart upload to disk part by part, never holding a file in memory, and stops at the first limit
/// passed (<see cref="ApiOptions"/>: files, bytes per file and in all, fields, field length). File names are reduced
/// to their last path segment, so <c>../x</c> is stored as <c>x</c> inside the job; two parts with one name are
/// refused rather than one silently replacing the other.
/// </summary>
public static class MultipartUploadReader
{
    /// <summary>Longest stored file name in UTF-8 bytes, the common file systems' limit.</summary>
    public const int MaxFileNameBytes = 255;

    public static async Task<UploadedJob> ReadAsync(HttpRequest request, string stagingDirectory, ApiOptions limits, ILogger logger,
        CancellationToken cancellationToken)
    {
        var maxBytes = limits.MaxUploadBytes;
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            throw new UploadRejectedException(StatusCodes.Status400BadRequest, "Not a multipart upload",
                "Send the job as multipart/form-data with 'file' parts and 'user_id' and 'service' fields.");
        var boundary = HeaderUtilities.RemoveQuotes(contentType.Boundary).Value;
        if (string.IsNullOrEmpty(boundary) || boundary.Length > 200)
            throw new UploadRejectedException(StatusCodes.Status400BadRequest, "Malformed multipart upload", "The multipart boundary is missing or too long.");
        if (request.ContentLength > maxBytes + 1024 * 1024)
            throw TooLarge(maxBytes);

        StorageErrors.Guard(() => Directory.CreateDirectory(stagingDirectory), logger);
        var reader = new MultipartReader(boundary, request.Body);
        string? userId = null, service = null;
        var files = new HashSet<string>(StringComparer.Ordinal);
        var fields = 0;
        long total = 0;
        try
        {
            MultipartSection? section;
            while ((section = await reader.ReadNextSectionAsync(cancellationToken)) is not null)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
                    continue;
                var fileName = disposition.FileNameStar.HasValue ? disposition.FileNameStar.Value : disposition.FileName.Value;
                if (!string.IsNullOrEmpty(fileName))
                {
                    var safeName = SafeFileName(HeaderUtilities.RemoveQuotes(fileName).Value!);
                    if (files.Count >= limits.MaxFiles)
                        throw new UploadRejectedException(StatusCodes.Status400BadRequest, "Too many files",
                            $"An upload may have at most {limits.MaxFiles} files.");
                    if (!files.Add(safeName))
                        throw new UploadRejectedException(StatusCodes.Status400BadRequest, "Duplicate file name",
                            $"Two files of the upload are both stored as '{safeName}'; give each file a name of its own.");
                    var perFile = Math.Min(limits.MaxFileBytes ?? maxBytes, maxBytes - total);
                    total += await SaveAsync(section.Body, Path.Combine(stagingDirectory, safeName), perFile, limits, logger, cancellationToken);
                    continue;
                }

                if (++fields > limits.MaxFields)
                    throw new UploadRejectedException(StatusCodes.Status400BadRequest, "Too many fields",
                        $"An upload may have at most {limits.MaxFields} form fields.");
                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value;
                if (name is "user_id" or "service")
                {
                    var value = await ReadFieldAsync(section.Body, name, limits.MaxFieldLength, cancellationToken);
                    if (name == "user_id") userId = value; else service = value;
                }
                else
                {
                    // Other fields are ignored, as by the WeNMR orchestrator, but still held to the field limit.
                    await ReadFieldAsync(section.Body, name ?? "(unnamed)", limits.MaxFieldLength, cancellationToken);
                }
            }
        }
        catch (IOException ex) when (StorageErrors.IsFull(ex))
        {
            logger.LogError(ex, "Storing a job failed in the jobs directory");
            throw StorageErrors.Rejection(ex);
        }
        catch (IOException ex) when (ex is not FileNotFoundException)
        {
            throw new UploadRejectedException(StatusCodes.Status400BadRequest, "Malformed multipart upload",
                $"The upload could not be read to its end: {ex.Message}");
        }
        catch (InvalidDataException ex)
        {
            throw new UploadRejectedException(StatusCodes.Status400BadRequest, "Malformed multipart upload", ex.Message);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge(maxBytes);
        }
        catch (BadHttpRequestException ex)
        {
            throw new UploadRejectedException(StatusCodes.Status400BadRequest, "Malformed multipart upload", ex.Message);
        }

        return new UploadedJob(stagingDirectory, userId, service, files);
    }

    /// <summary>The last path segment of a client-supplied name; rejects names that are only dots, empty, reserved or too long.</summary>
    public static string SafeFileName(string fileName)
    {
        var name = fileName.Replace('\\', '/');
        name = name[(name.LastIndexOf('/') + 1)..].Trim();
        if (name.Length == 0 || name is "." or ".." || name.Any(char.IsControl) || Encoding.UTF8.GetByteCount(name) > MaxFileNameBytes)
            throw new UploadRejectedException(StatusCodes.Status400BadRequest, "Invalid file name",
                $"'{Shorten(fileName)}' is not a usable file name (empty, dots only, control characters or over {MaxFileNameBytes} bytes).");
        if (name == LocalProcessLauncher.ExitCodeFile)
            throw new UploadRejectedException(StatusCodes.Status400BadRequest, "Invalid file name",
                $"'{name}' is reserved for the job's exit code.");
        return name;
    }

    /// <summary>Writes one part to its file: reading errors are the client's (400), writing errors the storage's (507/503).</summary>
    static async Task<long> SaveAsync(Stream source, string path, long limit, ApiOptions limits, ILogger logger, CancellationToken cancellationToken)
    {
        FileStream? target = null;
        // Unbuffered: every write reaches the disk inside the guard, and disposing after a failed write has nothing
        // left to flush, which would throw the disk's error again in place of the 507.
        StorageErrors.Guard(() => target = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, useAsync: true), logger);
        await using (target!)
        {
            var buffer = new byte[81920];
            long copied = 0;
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
            {
                copied += read;
                if (copied > limit)
                    throw limits.MaxFileBytes is { } perFile && limit == perFile
                        ? new UploadRejectedException(StatusCodes.Status413PayloadTooLarge, "File too large",
                            $"'{Path.GetFileName(path)}' exceeds the limit of {perFile} bytes per file.")
                        : TooLarge(limits.MaxUploadBytes);
                var chunk = buffer.AsMemory(0, read);
                await StorageErrors.GuardAsync(async () => await target!.WriteAsync(chunk, cancellationToken), logger);
            }

            await StorageErrors.GuardAsync(() => target!.FlushAsync(cancellationToken), logger);
            return copied;
        }
    }

    static async Task<string> ReadFieldAsync(Stream body, string name, int maxLength, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(body, new UTF8Encoding(false, throwOnInvalidBytes: true));
        var buffer = new char[maxLength + 1];
        int read;
        try
        {
            read = await reader.ReadBlockAsync(buffer, cancellationToken);
        }
        catch (DecoderFallbackException)
        {
            throw new UploadRejectedException(StatusCodes.Status400BadRequest, "Invalid field", $"The field '{Shorten(name)}' is not valid UTF-8.");
        }

        if (read > maxLength)
            throw new UploadRejectedException(StatusCodes.Status400BadRequest, "Field too long",
                $"The field '{Shorten(name)}' is longer than the limit of {maxLength} characters.");
        return new string(buffer, 0, read).Trim();
    }

    static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";

    static UploadRejectedException TooLarge(long maxBytes) =>
        new(StatusCodes.Status413PayloadTooLarge, "Upload too large", $"The upload exceeds the limit of {maxBytes} bytes.");
}
