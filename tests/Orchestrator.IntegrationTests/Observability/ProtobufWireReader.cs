namespace Orchestrator.IntegrationTests.Observability;

/// <summary>
/// Reads the protobuf wire format field by field: just enough to walk OTLP messages without generated classes.
/// Unknown fields are skipped by their wire type, so newer OTLP fields do not break it.
/// </summary>
public sealed class ProtobufWireReader(ReadOnlyMemory<byte> buffer)
{
    public const int Varint = 0;
    public const int Fixed64 = 1;
    public const int LengthDelimited = 2;
    public const int Fixed32 = 5;

    int _position;

    public bool AtEnd => _position >= buffer.Length;

    /// <summary>Reads the next field's number and wire type.</summary>
    public (int Field, int WireType) ReadTag()
    {
        var tag = ReadVarint();
        return ((int)(tag >> 3), (int)(tag & 7));
    }

    public ulong ReadVarint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (_position >= buffer.Length)
                throw new FormatException("The protobuf message ends inside a varint.");
            var b = buffer.Span[_position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
                return value;
        }

        throw new FormatException("A protobuf varint is longer than ten bytes.");
    }

    public ReadOnlyMemory<byte> ReadBytes()
    {
        var length = checked((int)ReadVarint());
        if (length < 0 || _position + length > buffer.Length)
            throw new FormatException("A protobuf length-delimited field runs past the end of its message.");
        var bytes = buffer.Slice(_position, length);
        _position += length;
        return bytes;
    }

    public string ReadString() => System.Text.Encoding.UTF8.GetString(ReadBytes().Span);

    public ulong ReadFixed64()
    {
        var value = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(Take(8));
        return value;
    }

    public void Skip(int wireType)
    {
        switch (wireType)
        {
            case Varint:
                ReadVarint();
                break;
            case Fixed64:
                Take(8);
                break;
            case LengthDelimited:
                ReadBytes();
                break;
            case Fixed32:
                Take(4);
                break;
            default:
                throw new FormatException($"Unsupported protobuf wire type {wireType}.");
        }
    }

    ReadOnlySpan<byte> Take(int count)
    {
        if (_position + count > buffer.Length)
            throw new FormatException("A protobuf fixed-size field runs past the end of its message.");
        var span = buffer.Span.Slice(_position, count);
        _position += count;
        return span;
    }
}
