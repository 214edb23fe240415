using System.Globalization;
using Google.Protobuf;

namespace BulkCerts.Tests.Support;

/// <summary>
/// The uncompressed protobuf body of one OTLP export request and the signal it carries. The export
/// requests of logs, traces and metrics share their layout. Field 1 repeats the data of each resource.
/// In it, field 1 is the resource with its attributes, and field 2 repeats the data of each
/// instrumentation scope. In that, field 1 is the scope, and field 2 repeats the spans, metrics or log
/// records.
/// </summary>
internal sealed record OtlpPayload(string Signal, DateTimeOffset ReceivedAt, byte[] Body)
{
    private const string ServiceNameAttribute = "service.name";

    /// <summary>Returns the <c>service.name</c> of every resource in the payload.</summary>
    public IReadOnlySet<string> ServiceNames()
    {
        try
        {
            return new ProtoFields(Body).Messages(1).Select(ServiceOf).ToHashSet();
        }
        catch (InvalidProtocolBufferException)
        {
            return new HashSet<string> { "(not valid protobuf)" };
        }
    }

    /// <summary>Returns the spans of a traces payload.</summary>
    public IEnumerable<OtlpSpan> Spans() => Items("traces").Select(item => new OtlpSpan(
        item.Service,
        item.Scope,
        item.Fields.Hex(1),
        item.Fields.Hex(2),
        item.Fields.Hex(4),
        item.Fields.String(5),
        (int)(item.Fields.Number(6) ?? 0),
        Attributes(item.Fields.Messages(9)),
        [.. item.Fields.Messages(13).Select(link => link.Hex(1))]));

    /// <summary>
    /// Returns the data points of a metrics payload: the value of a gauge or sum, or the sum and
    /// count of a histogram.
    /// </summary>
    public IEnumerable<OtlpMetricPoint> MetricPoints() => Items("metrics").SelectMany(item =>
    {
        var name = item.Fields.String(1);
        var unit = item.Fields.String(3);
        var numbers = new[] { (Field: 5, Type: "gauge"), (Field: 7, Type: "sum") }
            .SelectMany(kind => (item.Fields.Message(kind.Field)?.Messages(1) ?? [])
                .Select(point => new OtlpMetricPoint(
                    item.Service,
                    name,
                    unit,
                    kind.Type,
                    point.Has(4) ? point.Double(4)!.Value : (long)(point.Number(6) ?? 0),
                    Count: 1,
                    Attributes(point.Messages(7)),
                    point.Number(3) ?? 0)));
        var histograms = (item.Fields.Message(9)?.Messages(1) ?? []).Select(point => new OtlpMetricPoint(
            item.Service,
            name,
            unit,
            "histogram",
            point.Double(5) ?? 0,
            point.Number(4) ?? 0,
            Attributes(point.Messages(9)),
            point.Number(3) ?? 0));
        return numbers.Concat(histograms);
    });

    /// <summary>Returns the log records of a logs payload.</summary>
    public IEnumerable<OtlpLogRecord> LogRecords() => Items("logs").Select(item => new OtlpLogRecord(
        item.Service,
        item.Fields.Hex(9),
        Text(item.Fields.Message(5)),
        Attributes(item.Fields.Messages(6))));

    private IEnumerable<(string Service, string Scope, ProtoFields Fields)> Items(string signal)
    {
        if (Signal != signal)
        {
            return [];
        }

        return new ProtoFields(Body).Messages(1).SelectMany(resourceData =>
        {
            var service = ServiceOf(resourceData);
            return resourceData.Messages(2).SelectMany(scopeData =>
            {
                var scope = scopeData.Message(1)?.String(1) ?? string.Empty;
                return scopeData.Messages(2).Select(fields => (service, scope, fields));
            });
        });
    }

    private static string ServiceOf(ProtoFields resourceData) =>
        Attributes(resourceData.Message(1)?.Messages(1) ?? []).GetValueOrDefault(ServiceNameAttribute, string.Empty);

    /// <summary>Returns key-value pairs with each value as text, and the first value of a key that repeats.</summary>
    private static Dictionary<string, string> Attributes(IEnumerable<ProtoFields> keyValues)
    {
        var attributes = new Dictionary<string, string>();
        foreach (var keyValue in keyValues)
        {
            attributes.TryAdd(keyValue.String(1), Text(keyValue.Message(2)));
        }

        return attributes;
    }

    /// <summary>Returns an AnyValue as text: string (1), bool (2), int (3) or double (4), else empty.</summary>
    private static string Text(ProtoFields? value) => value switch
    {
        null => string.Empty,
        _ when value.Has(1) => value.String(1),
        _ when value.Has(2) => value.Number(2) == 0 ? "false" : "true",
        _ when value.Has(3) => ((long)value.Number(3)!.Value).ToString(CultureInfo.InvariantCulture),
        _ when value.Has(4) => value.Double(4)!.Value.ToString(CultureInfo.InvariantCulture),
        _ => string.Empty,
    };
}

/// <summary>A span from an OTLP export. Ids are lowercase hex, and the parent id is empty for a root span.</summary>
internal sealed record OtlpSpan(
    string Service,
    string Scope,
    string TraceId,
    string SpanId,
    string ParentSpanId,
    string Name,
    int Kind,
    IReadOnlyDictionary<string, string> Attributes,
    IReadOnlyList<string> LinkedTraceIds)
{
    public const int ServerKind = 2;
    public const int ClientKind = 3;
    public const int ProducerKind = 4;
    public const int ConsumerKind = 5;
}

/// <summary>
/// A data point from an OTLP export. Type is gauge, sum or histogram. For a histogram, Value is the sum
/// of the recorded values and Count their number.
/// </summary>
internal sealed record OtlpMetricPoint(
    string Service,
    string Name,
    string Unit,
    string Type,
    double Value,
    ulong Count,
    IReadOnlyDictionary<string, string> Attributes,
    ulong TimeUnixNano);

/// <summary>A log record from an OTLP export, with its body and attributes as text.</summary>
internal sealed record OtlpLogRecord(
    string Service,
    string TraceId,
    string Body,
    IReadOnlyDictionary<string, string> Attributes);
