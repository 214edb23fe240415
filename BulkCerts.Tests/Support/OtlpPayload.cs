using Google.Protobuf;

namespace BulkCerts.Tests.Support;

/// <summary>The uncompressed protobuf body of one OTLP export request and the signal it carries.</summary>
internal sealed record OtlpPayload(string Signal, DateTimeOffset ReceivedAt, byte[] Body)
{
    private const string ServiceNameAttribute = "service.name";

    /// <summary>
    /// Returns the <c>service.name</c> of every resource in the payload. The export requests of logs,
    /// traces and metrics share the layout: field 1 repeats the per-resource data, whose field 1 is the
    /// resource, whose field 1 repeats its attributes as key (1) and value (2, a string in field 1).
    /// </summary>
    public IReadOnlySet<string> ServiceNames()
    {
        try
        {
            return ReadFields(Body, 1)
                .SelectMany(resourceData => ReadFields(resourceData, 1))
                .SelectMany(resource => ReadFields(resource, 1))
                .Where(attribute => ReadFields(attribute, 1).SingleOrDefault()?.ToStringUtf8() == ServiceNameAttribute)
                .SelectMany(attribute => ReadFields(attribute, 2))
                .SelectMany(value => ReadFields(value, 1))
                .Select(name => name.ToStringUtf8())
                .ToHashSet();
        }
        catch (InvalidProtocolBufferException)
        {
            return new HashSet<string> { "(not valid protobuf)" };
        }
    }

    private static List<ByteString> ReadFields(ByteString message, int fieldNumber) =>
        ReadFields(message.ToByteArray(), fieldNumber);

    /// <summary>Returns the values of the length-delimited fields with the given number, in order.</summary>
    private static List<ByteString> ReadFields(byte[] message, int fieldNumber)
    {
        var fields = new List<ByteString>();
        var input = new CodedInputStream(message);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == fieldNumber
                && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                fields.Add(input.ReadBytes());
            }
            else
            {
                input.SkipLastField();
            }
        }

        return fields;
    }
}
