using System.Text.Json;

namespace Orchestrator.Executor.Destinations.Jobd;

/// <summary>The fields of an agent's payload JSON (<c>{id, input, status, loc, pid, killed}</c>) the adapter uses.</summary>
public sealed record JobdPayloadStatus(uint Id, string Status)
{
    /// <summary>Reads a payload; null when the text is not one (no numeric <c>id</c> or no <c>status</c> string).</summary>
    public static JobdPayloadStatus? TryParse(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var json = JsonDocument.Parse(stream);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.Number || !id.TryGetUInt32(out var number))
                return null;
            var status = root.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : "";
            return new JobdPayloadStatus(number, status);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
