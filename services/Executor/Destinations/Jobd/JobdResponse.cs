using System.Net;

namespace Orchestrator.Executor.Destinations.Jobd;

/// <summary>An agent's answer with its body saved to a temporary file (result zips can be large); deleted on dispose.</summary>
public sealed class JobdResponse(HttpStatusCode status, string bodyPath) : IDisposable
{
    public HttpStatusCode Status { get; } = status;

    public string BodyPath { get; } = bodyPath;

    public bool IsZip => new FileInfo(BodyPath).Length >= 4 && ZipExtraction.LooksLikeZip(BodyPath);

    /// <summary>The start of the body as text, for error messages.</summary>
    public string Excerpt()
    {
        using var reader = new StreamReader(BodyPath);
        var buffer = new char[200];
        var read = reader.ReadBlock(buffer, 0, buffer.Length);
        return read == 0 ? "(empty body)" : new string(buffer, 0, read);
    }

    public void Dispose()
    {
        try
        {
            File.Delete(BodyPath);
        }
        catch (IOException)
        {
        }
    }
}
