using MassTransit;
using Microsoft.Extensions.Options;

namespace Orchestrator.Api.Jobs;

/// <summary>
/// Puts a job's files into its staging directory: inline bytes as they are, URLs fetched, message data read from the
/// repository. All of them together are held to the upload limit, and every copy stops as soon as it would pass it.
/// </summary>
public sealed class JobInputWriter(
    IHttpClientFactory httpClients, IMessageDataRepository messageData, IOptions<ApiOptions> options, ILogger<JobInputWriter> logger)
{
    public const string DownloadClient = "job-inputs";

    public async Task WriteAsync(IReadOnlyList<JobInput> files, string stagingDirectory, CancellationToken cancellationToken)
    {
        var budget = new Budget(options.Value.MaxUploadBytes);
        StorageErrors.Guard(() => Directory.CreateDirectory(stagingDirectory), logger);
        foreach (var file in files)
        {
            var target = JobPaths.Resolve(stagingDirectory, file.Path!)
                ?? throw new UploadRejectedException(StatusCodes.Status400BadRequest, "Invalid file path", $"'{file.Path}' is not a usable path.");
            FileStream? created = null;
            StorageErrors.Guard(() =>
            {
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                // Unbuffered, so a full disk fails a guarded write and never the dispose.
                created = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, useAsync: true);
            }, logger);
            await using var output = created!;
            if (file.Content is { } content)
            {
                budget.Take(content.Length, file.Path!);
                await StorageErrors.GuardAsync(async () => await output.WriteAsync(content, cancellationToken), logger);
            }
            else if (file.Url is { } url)
            {
                await DownloadAsync(url, file.Path!, output, budget, cancellationToken);
            }
            else if (file.MessageData is { } address)
            {
                await ReadMessageDataAsync(address, file.Path!, output, budget, cancellationToken);
            }

        }
    }

    async Task DownloadAsync(Uri url, string path, Stream output, Budget budget, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.DownloadTimeout);
        try
        {
            var client = httpClients.CreateClient(DownloadClient);
            using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (!response.IsSuccessStatusCode)
                throw DownloadFailed(path, url, $"the server answered {(int)response.StatusCode} {response.ReasonPhrase}.");
            if (response.Content.Headers.ContentLength is { } length)
                budget.Check(length, path);
            await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
            await CopyAsync(body, output, budget, path, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw DownloadFailed(path, url, $"it took longer than {options.Value.DownloadTimeout.TotalSeconds:0} s.");
        }
        catch (HttpRequestException ex)
        {
            throw DownloadFailed(path, url, ex.Message);
        }
        catch (IOException ex)
        {
            throw DownloadFailed(path, url, ex.Message);
        }
    }

    async Task ReadMessageDataAsync(Uri address, string path, Stream output, Budget budget, CancellationToken cancellationToken)
    {
        // The file-system repository maps an address onto a path below its directory; a '..' segment would leave it.
        if (address.ToString().Split(':', '/', '\\').Any(segment => segment == ".."))
            throw new UploadRejectedException(StatusCodes.Status400BadRequest, "Invalid message data", $"'{address}' is not a message data address.");
        Stream body;
        try
        {
            body = await messageData.Get(address, cancellationToken);
        }
        catch (Exception ex) when (ex is MessageDataException or IOException or UnauthorizedAccessException or FormatException)
        {
            throw new UploadRejectedException(StatusCodes.Status422UnprocessableEntity, "Message data not found",
                $"The message data for '{path}' ({address}) could not be read: {ex.Message}");
        }

        await using (body)
            await CopyAsync(body, output, budget, path, cancellationToken);
    }

    /// <summary>Copies a fetched file; a failing write is the storage's failure (507/503), not the download's.</summary>
    async Task CopyAsync(Stream source, Stream target, Budget budget, string path, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            budget.Take(read, path);
            var chunk = buffer.AsMemory(0, read);
            await StorageErrors.GuardAsync(async () => await target.WriteAsync(chunk, cancellationToken), logger);
        }
    }

    static UploadRejectedException DownloadFailed(string path, Uri url, string why) =>
        new(StatusCodes.Status422UnprocessableEntity, "Download failed", $"File '{path}' could not be fetched from {url}: {why}");

    /// <summary>What is left of the size limit while the job's files are written.</summary>
    sealed class Budget(long limit)
    {
        long _used;

        public void Check(long more, string path)
        {
            if (_used + more > limit)
                throw new UploadRejectedException(StatusCodes.Status413PayloadTooLarge, "Job too large",
                    $"With '{path}' the job's files exceed the limit of {limit} bytes.");
        }

        public void Take(long more, string path)
        {
            Check(more, path);
            _used += more;
        }
    }
}
