namespace Orchestrator.IntegrationTests.Observability;

/// <summary>
/// Decodes an OTLP <c>ExportTraceServiceRequest</c> (opentelemetry/proto/collector/trace/v1) into spans. Field
/// numbers are those of the OTLP 1.x proto definitions; attribute values are rendered as text.
/// </summary>
public static class OtlpTraceDecoder
{
    public static IReadOnlyList<ReceivedSpan> Decode(ReadOnlyMemory<byte> request)
    {
        var spans = new List<ReceivedSpan>();
        var reader = new ProtobufWireReader(request);
        while (!reader.AtEnd)
        {
            var (field, wireType) = reader.ReadTag();
            if (field == 1 && wireType == ProtobufWireReader.LengthDelimited)
                ReadResourceSpans(reader.ReadBytes(), spans);
            else
                reader.Skip(wireType);
        }

        return spans;
    }

    /// <summary>ResourceSpans: resource = 1, scope_spans = 2.</summary>
    static void ReadResourceSpans(ReadOnlyMemory<byte> message, List<ReceivedSpan> spans)
    {
        var resource = new Dictionary<string, string>();
        var scopeSpans = new List<ReadOnlyMemory<byte>>();
        var reader = new ProtobufWireReader(message);
        while (!reader.AtEnd)
        {
            var (field, wireType) = reader.ReadTag();
            switch (field, wireType)
            {
                case (1, ProtobufWireReader.LengthDelimited):
                    ReadAttributes(reader.ReadBytes(), attributesField: 1, resource);
                    break;
                case (2, ProtobufWireReader.LengthDelimited):
                    scopeSpans.Add(reader.ReadBytes());
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        var service = resource.GetValueOrDefault("service.name") ?? "unknown";
        var version = resource.GetValueOrDefault("service.version");
        foreach (var scope in scopeSpans)
        {
            var scopeReader = new ProtobufWireReader(scope);
            while (!scopeReader.AtEnd)
            {
                var (field, wireType) = scopeReader.ReadTag();
                if (field == 2 && wireType == ProtobufWireReader.LengthDelimited)
                    spans.Add(ReadSpan(scopeReader.ReadBytes(), service, version));
                else
                    scopeReader.Skip(wireType);
            }
        }
    }

    /// <summary>Span: trace_id = 1, span_id = 2, parent_span_id = 4, name = 5, attributes = 9.</summary>
    static ReceivedSpan ReadSpan(ReadOnlyMemory<byte> message, string service, string? version)
    {
        string traceId = "", spanId = "", name = "";
        string? parent = null;
        var attributes = new Dictionary<string, string>();
        var reader = new ProtobufWireReader(message);
        while (!reader.AtEnd)
        {
            var (field, wireType) = reader.ReadTag();
            switch (field, wireType)
            {
                case (1, ProtobufWireReader.LengthDelimited):
                    traceId = Convert.ToHexStringLower(reader.ReadBytes().Span);
                    break;
                case (2, ProtobufWireReader.LengthDelimited):
                    spanId = Convert.ToHexStringLower(reader.ReadBytes().Span);
                    break;
                case (4, ProtobufWireReader.LengthDelimited):
                    var bytes = reader.ReadBytes();
                    parent = bytes.IsEmpty ? null : Convert.ToHexStringLower(bytes.Span);
                    break;
                case (5, ProtobufWireReader.LengthDelimited):
                    name = reader.ReadString();
                    break;
                case (9, ProtobufWireReader.LengthDelimited):
                    ReadKeyValue(reader.ReadBytes(), attributes);
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        return new ReceivedSpan(service, version, traceId, spanId, parent, name, attributes);
    }

    static void ReadAttributes(ReadOnlyMemory<byte> message, int attributesField, Dictionary<string, string> into)
    {
        var reader = new ProtobufWireReader(message);
        while (!reader.AtEnd)
        {
            var (field, wireType) = reader.ReadTag();
            if (field == attributesField && wireType == ProtobufWireReader.LengthDelimited)
                ReadKeyValue(reader.ReadBytes(), into);
            else
                reader.Skip(wireType);
        }
    }

    /// <summary>KeyValue: key = 1, value = 2.</summary>
    static void ReadKeyValue(ReadOnlyMemory<byte> message, Dictionary<string, string> into)
    {
        string? key = null, value = null;
        var reader = new ProtobufWireReader(message);
        while (!reader.AtEnd)
        {
            var (field, wireType) = reader.ReadTag();
            switch (field, wireType)
            {
                case (1, ProtobufWireReader.LengthDelimited):
                    key = reader.ReadString();
                    break;
                case (2, ProtobufWireReader.LengthDelimited):
                    value = ReadAnyValue(reader.ReadBytes());
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        if (key is not null)
            into[key] = value ?? "";
    }

    /// <summary>AnyValue: string = 1, bool = 2, int = 3, double = 4; arrays, lists and bytes are not needed here.</summary>
    static string? ReadAnyValue(ReadOnlyMemory<byte> message)
    {
        string? value = null;
        var reader = new ProtobufWireReader(message);
        while (!reader.AtEnd)
        {
            var (field, wireType) = reader.ReadTag();
            switch (field, wireType)
            {
                case (1, ProtobufWireReader.LengthDelimited):
                    value = reader.ReadString();
                    break;
                case (2, ProtobufWireReader.Varint):
                    value = reader.ReadVarint() != 0 ? "true" : "false";
                    break;
                case (3, ProtobufWireReader.Varint):
                    value = ((long)reader.ReadVarint()).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    break;
                case (4, ProtobufWireReader.Fixed64):
                    value = BitConverter.UInt64BitsToDouble(reader.ReadFixed64()).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        return value;
    }
}
