using System.Text.Json;

namespace Orchestrator.Platform.Messaging;

/// <summary>
/// Turns messages into the text stored in the outbox and scheduler tables and back. Messages are the contracts'
/// records, so plain System.Text.Json with the CLR type name is enough to rebuild them exactly.
/// </summary>
public static class MessageBodySerializer
{
    static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string TypeName(Type type) => $"{type.FullName}, {type.Assembly.GetName().Name}";

    public static string Serialize(object message, Type type) => JsonSerializer.Serialize(message, type, Options);

    public static string SerializeHeaders(IReadOnlyDictionary<string, string> headers) =>
        JsonSerializer.Serialize(headers, Options);

    public static Dictionary<string, string> DeserializeHeaders(string? headers) =>
        string.IsNullOrEmpty(headers)
            ? new Dictionary<string, string>()
            : JsonSerializer.Deserialize<Dictionary<string, string>>(headers, Options) ?? new Dictionary<string, string>();

    public static (object Message, Type Type) Deserialize(string typeName, string body)
    {
        var type = Type.GetType(typeName, throwOnError: false)
            ?? throw new InvalidOperationException($"Message type '{typeName}' is not known to this service.");
        var message = JsonSerializer.Deserialize(body, type, Options)
            ?? throw new InvalidOperationException($"Message body of type '{typeName}' deserialised to null.");
        return (message, type);
    }
}
