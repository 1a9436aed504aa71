using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Orchestrator.Api.Jobs;

/// <summary>
/// Streams a multipart upload to disk part by part, never holding a file in memory, and stops at the size limit.
/// File names are reduced to their last path segment, so <c>../x</c> is stored as <c>x</c> inside the job.
/// </summary>
public static class MultipartUploadReader
{
    const int MaxFieldLength = 1024;

    public static async Task<UploadedJob> ReadAsync(HttpRequest request, string stagingDirectory, long maxBytes, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            throw new UploadRejectedException(StatusCodes.Status400BadRequest, "Not a multipart upload",
                "Send the job as multipart/form-data with 'file' parts and 'user_id' and 'service' fields.");
        var boundary = HeaderUtilities.RemoveQuotes(contentType.Boundary).Value;
        if (string.IsNullOrEmpty(boundary))
            throw new UploadRejectedException(StatusCodes.Status400BadRequest, "Malformed multipart upload", "The multipart boundary is missing.");
        if (request.ContentLength > maxBytes + 1024 * 1024)
            throw TooLarge(maxBytes);

        Directory.CreateDirectory(stagingDirectory);
        var reader = new MultipartReader(boundary, request.Body);
        string? userId = null, service = null;
        var files = new HashSet<string>(StringComparer.Ordinal);
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
                    await using var target = File.Create(Path.Combine(stagingDirectory, safeName));
                    total += await CopyLimitedAsync(section.Body, target, maxBytes - total, maxBytes, cancellationToken);
                    files.Add(safeName);
                    continue;
                }

                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value;
                if (name is "user_id" or "service")
                {
                    var value = await ReadFieldAsync(section.Body, cancellationToken);
                    if (name == "user_id") userId = value; else service = value;
                }
            }
        }
        catch (IOException ex) when (ex is not FileNotFoundException)
        {
            throw new UploadRejectedException(StatusCodes.Status400BadRequest, "Malformed multipart upload", ex.Message);
        }
        catch (InvalidDataException ex)
        {
            throw new UploadRejectedException(StatusCodes.Status400BadRequest, "Malformed multipart upload", ex.Message);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge(maxBytes);
        }

        return new UploadedJob(stagingDirectory, userId, service, files);
    }

    /// <summary>The last path segment of a client-supplied name; rejects names that are only dots or empty.</summary>
    public static string SafeFileName(string fileName)
    {
        var name = fileName.Replace('\\', '/');
        name = name[(name.LastIndexOf('/') + 1)..].Trim();
        if (name.Length == 0 || name is "." or ".." || name.Any(char.IsControl))
            throw new UploadRejectedException(StatusCodes.Status400BadRequest, "Invalid file name",
                $"'{fileName}' is not a usable file name.");
        return name;
    }

    static async Task<long> CopyLimitedAsync(Stream source, Stream target, long remaining, long maxBytes, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        long copied = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            copied += read;
            if (copied > remaining)
                throw TooLarge(maxBytes);
            await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }

        return copied;
    }

    static async Task<string> ReadFieldAsync(Stream body, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(body);
        var buffer = new char[MaxFieldLength + 1];
        var read = await reader.ReadBlockAsync(buffer, cancellationToken);
        if (read > MaxFieldLength)
            throw new UploadRejectedException(StatusCodes.Status400BadRequest, "Field too long", $"Form fields are limited to {MaxFieldLength} characters.");
        return new string(buffer, 0, read).Trim();
    }

    static UploadRejectedException TooLarge(long maxBytes) =>
        new(StatusCodes.Status413PayloadTooLarge, "Upload too large", $"The upload exceeds the limit of {maxBytes} bytes.");
}
