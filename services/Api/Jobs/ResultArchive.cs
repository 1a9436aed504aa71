using System.IO.Compression;
using Microsoft.AspNetCore.Http.Features;

namespace Orchestrator.Api.Jobs;

/// <summary>Writes a job's directory as a zip straight to the response, one file at a time.</summary>
public static class ResultArchive
{
    /// <summary>
    /// The answer to a GET or HEAD of a job's zip: headers only for HEAD, otherwise the directory streamed as a zip.
    /// </summary>
    public static IResult Download(HttpContext http, string directory, string fileName, CancellationToken cancellationToken)
    {
        if (HttpMethods.IsHead(http.Request.Method))
        {
            http.Response.ContentType = "application/zip";
            return TypedResults.Ok();
        }

        // The zip's deflate streams flush synchronously when an entry closes; the body is still streamed.
        var bodyControl = http.Features.Get<IHttpBodyControlFeature>();
        if (bodyControl is not null)
            bodyControl.AllowSynchronousIO = true;
        return TypedResults.Stream(
            stream => WriteAsync(directory, stream, cancellationToken),
            contentType: "application/zip",
            fileDownloadName: fileName);
    }

    public static async Task WriteAsync(string directory, Stream output, CancellationToken cancellationToken)
    {
        await using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        var root = new DirectoryInfo(directory);
        // Links could point outside the job's directory; only the job's own regular files are results.
        foreach (var file in JobFiles.RegularFiles(root.FullName))
        {
            var entry = zip.CreateEntry(Path.GetRelativePath(root.FullName, file.FullName).Replace('\\', '/'), CompressionLevel.Fastest);
            entry.LastWriteTime = file.LastWriteTime;
            await using var source = file.OpenRead();
            await using var target = await entry.OpenAsync(cancellationToken);
            await source.CopyToAsync(target, cancellationToken);
        }
    }
}
