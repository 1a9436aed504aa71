using System.Text.Json.Serialization;

namespace Orchestrator.Agent.Payloads;

/// <summary>
/// A payload as the anchor's client answers it: <c>{id, input, status, loc, pid, killed}</c>. The anchor serialises
/// <c>input</c> as a map of file name to the file's bytes; the agent keeps the file names and leaves the bytes out
/// (empty arrays), so a status poll never echoes a whole upload back.
/// </summary>
public sealed record PayloadView(
    [property: JsonPropertyName("id")] uint Id,
    [property: JsonPropertyName("input")] IReadOnlyDictionary<string, int[]> Input,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("loc")] string Loc,
    [property: JsonPropertyName("pid")] int Pid,
    [property: JsonPropertyName("killed")] bool Killed)
{
    public static PayloadView From(PayloadRecord payload) => new(
        payload.Id,
        payload.Files.ToDictionary(f => f, _ => Array.Empty<int>(), StringComparer.Ordinal),
        payload.Status,
        payload.Loc,
        payload.Pid,
        payload.Killed);
}
