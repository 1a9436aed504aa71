using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Orchestrator.Agent.Payloads;

/// <summary>
/// <c>POST /submit</c>: streams each file part to the new payload's directory under its basename, then records the
/// payload as Prepared. A submit that fails half way leaves nothing behind.
/// </summary>
public sealed class PayloadSubmission(PayloadStore store, IOptions<AgentOptions> options, ILogger<PayloadSubmission> logger)
{
    public async Task<PayloadRecord> SubmitAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            throw new SubmitRejectedException(StatusCodes.Status400BadRequest, "Not a multipart submit",
                "Send the payload as multipart/form-data, one part with a file name per file.");
        var boundary = HeaderUtilities.RemoveQuotes(contentType.Boundary).Value;
        if (string.IsNullOrEmpty(boundary))
            throw new SubmitRejectedException(StatusCodes.Status400BadRequest, "Malformed multipart submit", "The multipart boundary is missing.");

        var id = store.NextId();
        var directory = Path.Combine(options.Value.PayloadsPath, id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(directory);
        try
        {
            var files = await WriteFilesAsync(request.Body, boundary, directory, cancellationToken);
            if (!files.Contains("run.sh"))
                throw new SubmitRejectedException(StatusCodes.Status400BadRequest, "No run.sh", "A payload must include a file named run.sh.");
            var payload = new PayloadRecord
            {
                Id = id,
                Status = PayloadStatuses.Prepared,
                Loc = directory,
                Files = files.Order(StringComparer.Ordinal).ToList(),
                RunId = Guid.NewGuid(),
                CreatedAt = DateTimeOffset.UtcNow,
            };
            store.Add(payload);
            logger.LogInformation("Payload {Id} prepared with {Count} files", id, files.Count);
            return payload;
        }
        catch
        {
            TryDelete(directory);
            throw;
        }
    }

    async Task<HashSet<string>> WriteFilesAsync(Stream body, string boundary, string directory, CancellationToken cancellationToken)
    {
        var reader = new MultipartReader(boundary, body);
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
                // Parts without a file name are form fields; the anchor ignores them too.
                if (string.IsNullOrEmpty(fileName))
                    continue;
                var original = HeaderUtilities.RemoveQuotes(fileName).Value!;
                var safeName = UploadFileNames.Safe(original)
                    ?? throw new SubmitRejectedException(StatusCodes.Status400BadRequest, "Invalid file name", $"'{original}' is not a usable file name.");
                if (!files.Add(safeName))
                    throw new SubmitRejectedException(StatusCodes.Status400BadRequest, "Duplicate file name",
                        $"Two parts would both be stored as '{safeName}'.");
                await using var target = Store(() => File.Create(Path.Combine(directory, safeName)));
                total += await CopyLimitedAsync(section.Body, target, options.Value.MaxUploadBytes - total, cancellationToken);
            }
        }
        catch (IOException ex) when (ex is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new SubmitRejectedException(StatusCodes.Status400BadRequest, "Malformed multipart submit", ex.Message);
        }
        catch (InvalidDataException ex)
        {
            throw new SubmitRejectedException(StatusCodes.Status400BadRequest, "Malformed multipart submit", ex.Message);
        }

        return files;
    }

    async Task<long> CopyLimitedAsync(Stream source, Stream target, long remaining, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        long copied = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            copied += read;
            if (copied > remaining)
                throw new SubmitRejectedException(StatusCodes.Status413PayloadTooLarge, "Payload too large",
                    $"The files exceed Agent:MaxUploadBytes ({options.Value.MaxUploadBytes} bytes).");
            await Store(async () =>
            {
                await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                return true;
            });
        }

        return copied;
    }

    /// <summary>Runs a write to the agent's disk; its failure is the agent's (500), not a malformed request.</summary>
    static T Store<T>(Func<T> write)
    {
        try
        {
            return write();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SubmitRejectedException(StatusCodes.Status500InternalServerError, "Storage error", $"The payload could not be stored: {ex.Message}");
        }
    }

    static async Task<T> Store<T>(Func<Task<T>> write)
    {
        try
        {
            return await write();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SubmitRejectedException(StatusCodes.Status500InternalServerError, "Storage error", $"The payload could not be stored: {ex.Message}");
        }
    }

    void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("Could not remove {Directory} of a failed submit: {Reason}", directory, ex.Message);
        }
    }
}
