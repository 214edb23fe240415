using Google.Protobuf;

namespace BulkCerts.Tests.Support;

/// <summary>
/// The top-level fields of one protobuf message, read by field number without a generated class:
/// enough to walk OTLP export requests, whose schema is stable.
/// </summary>
internal sealed class ProtoFields
{
    private readonly List<(int Number, WireFormat.WireType Type, ulong Number64, ByteString? Bytes)> _fields = [];

    /// <exception cref="InvalidProtocolBufferException">The bytes are not a protobuf message.</exception>
    public ProtoFields(ReadOnlySpan<byte> message)
    {
        var input = new CodedInputStream(message.ToArray());
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            var number = WireFormat.GetTagFieldNumber(tag);
            var type = WireFormat.GetTagWireType(tag);
            switch (type)
            {
                case WireFormat.WireType.Varint:
                    _fields.Add((number, type, input.ReadUInt64(), null));
                    break;
                case WireFormat.WireType.Fixed64:
                    _fields.Add((number, type, input.ReadFixed64(), null));
                    break;
                case WireFormat.WireType.Fixed32:
                    _fields.Add((number, type, input.ReadFixed32(), null));
                    break;
                case WireFormat.WireType.LengthDelimited:
                    _fields.Add((number, type, 0, input.ReadBytes()));
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }
    }

    public bool Has(int number) => _fields.Any(field => field.Number == number);

    /// <summary>Returns every embedded message with this field number, in order.</summary>
    public IEnumerable<ProtoFields> Messages(int number) =>
        BytesFields(number).Select(bytes => new ProtoFields(bytes.Span));

    /// <summary>Returns the first embedded message with this field number, or null.</summary>
    public ProtoFields? Message(int number) => Messages(number).FirstOrDefault();

    public string String(int number) => BytesFields(number).FirstOrDefault()?.ToStringUtf8() ?? string.Empty;

    /// <summary>Returns the first bytes field with this number in lowercase hex, as trace ids are written.</summary>
    public string Hex(int number) =>
        BytesFields(number).FirstOrDefault() is { } bytes ? Convert.ToHexStringLower(bytes.Span) : string.Empty;

    /// <summary>Returns the first varint, fixed64 or fixed32 field with this number, or null.</summary>
    public ulong? Number(int number) =>
        _fields.Where(field => field.Number == number && field.Bytes is null)
            .Select(field => (ulong?)field.Number64)
            .FirstOrDefault();

    /// <summary>Returns the first fixed64 field with this number read as a double, or null.</summary>
    public double? Double(int number) => Number(number) is { } bits ? BitConverter.UInt64BitsToDouble(bits) : null;

    private IEnumerable<ByteString> BytesFields(int number) =>
        _fields.Where(field => field.Number == number && field.Bytes is not null).Select(field => field.Bytes!);
}
