using System.Buffers;
using System.IO.Pipelines;
using System.Security.Cryptography;
using System.Text.Json;
using BulkCerts.Api.Http;
using BulkCerts.CertEngine.V1;
using static BulkCerts.Api.Certificates.JsonFields;

namespace BulkCerts.Api.Certificates;

/// <summary>
/// Reads an <c>application/x-ndjson</c> upload of certification requests line by line: an
/// optional first line with the task's settings, then one row per line,
/// <c>{"csr": "&lt;PEM&gt;", ...}</c> with optional subject overrides. Rows are handed on in
/// batches as they are read, so the body is never held whole.
/// </summary>
internal static class SigningRequestUpload
{
    /// <summary>Longest line, in bytes; a PEM request with a 16384-bit RSA key and overrides fits.</summary>
    public const int MaxLineBytes = 64 * 1024;

    public const int BatchSize = 1000;

    public const string RowExample =
        "{\"csr\": \"-----BEGIN CERTIFICATE REQUEST-----\\nMIIC...\\n-----END CERTIFICATE REQUEST-----\\n\"}";

    /// <summary>Subject fields a row may override, in the order the messages list them.</summary>
    public static readonly string[] OverrideFields =
    [
        "commonName", "organization", "organizationalUnit", "locality", "stateName", "country", "emailAddress",
        "distinguishedNameQualifier",
    ];

    private static readonly string[] SettingsProperties = ["certInfo", "register"];

    private static readonly JsonDocumentOptions LineOptions = new() { MaxDepth = 32, AllowDuplicateProperties = false };

    /// <summary>
    /// Reads the upload, passes each batch of rows to <paramref name="store"/>, and feeds every byte
    /// to <paramref name="fingerprint"/>. Returns the task's settings with the quantity set to the
    /// number of rows, or the problem with its line number.
    /// </summary>
    public static async Task<ParseResult> ReadAsync(
        PipeReader body,
        BulkCertsOptions options,
        Func<IReadOnlyList<SigningRequest>, Task> store,
        IncrementalHash fingerprint,
        CancellationToken cancellationToken)
    {
        var state = new UploadState(options);
        while (true)
        {
            var result = await body.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            string? error = null;
            while (error is null && TryTakeLine(ref buffer, out var line, out var delimited))
            {
                Hash(fingerprint, line, delimited);
                error = state.Add(line);
                if (error is null && state.Pending.Count >= BatchSize)
                {
                    await state.FlushAsync(store);
                }
            }

            if (error is null && result.IsCompleted && !buffer.IsEmpty)
            {
                Hash(fingerprint, buffer, delimited: false);
                error = state.Add(buffer);
                buffer = buffer.Slice(buffer.End);
            }
            else if (error is null && buffer.Length > MaxLineBytes)
            {
                error = $"Line {state.LineNumber + 1} is longer than {MaxLineBytes} bytes; put each request on a " +
                    $"line of its own, such as {RowExample}, with the PEM's line breaks written as \\n.";
            }

            body.AdvanceTo(buffer.Start, buffer.End);
            if (error is not null)
            {
                return ParseResult.Fail(error, state.Status);
            }

            if (result.IsCompleted)
            {
                break;
            }
        }

        await state.FlushAsync(store);
        return state.Finish();
    }

    private static bool TryTakeLine(
        ref ReadOnlySequence<byte> buffer,
        out ReadOnlySequence<byte> line,
        out bool delimited)
    {
        delimited = false;
        if (buffer.PositionOf((byte)'\n') is not { } end)
        {
            line = default;
            return false;
        }

        line = buffer.Slice(0, end);
        buffer = buffer.Slice(buffer.GetPosition(1, end));
        delimited = true;
        return true;
    }

    private static void Hash(IncrementalHash fingerprint, ReadOnlySequence<byte> line, bool delimited)
    {
        foreach (var segment in line)
        {
            fingerprint.AppendData(segment.Span);
        }

        if (delimited)
        {
            fingerprint.AppendData("\n"u8);
        }
    }

    /// <summary>The state of a reading upload: its settings, the rows not yet stored, and the line number.</summary>
    private sealed class UploadState(BulkCertsOptions options)
    {
        private ParseResult? _settings;
        private int _rows;

        public List<SigningRequest> Pending { get; } = new(BatchSize);

        public int LineNumber { get; private set; }

        public int Status { get; private set; } = StatusCodes.Status400BadRequest;

        public async Task FlushAsync(Func<IReadOnlyList<SigningRequest>, Task> store)
        {
            if (Pending.Count > 0)
            {
                await store(Pending);
                Pending.Clear();
            }
        }

        /// <summary>Reads one line; returns the problem, or null for a valid or blank line.</summary>
        public string? Add(ReadOnlySequence<byte> line)
        {
            LineNumber++;
            var bytes = line.IsSingleSegment ? line.First : line.ToArray();
            var span = bytes.Span;
            if (LineNumber == 1 && span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            {
                bytes = bytes[3..];
                span = bytes.Span;
            }

            if (span.Trim(" \t\r"u8).IsEmpty)
            {
                return null;
            }

            if (span.Length > MaxLineBytes)
            {
                return $"Line {LineNumber} has {span.Length} bytes; the limit is {MaxLineBytes}. Put each request on " +
                    "a line of its own.";
            }

            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(bytes, LineOptions);
            }
            catch (JsonException exception)
            {
                return $"Line {LineNumber} is not valid JSON ({exception.Message}). Send one JSON object per line, " +
                    $"such as {RowExample}, with the PEM's line breaks written as \\n.";
            }
            catch (InvalidOperationException)
            {
                return $"Line {LineNumber} has a property name that is not valid Unicode text; remove the escaped " +
                    "unpaired surrogate (\\uD800 to \\uDFFF) from it.";
            }

            using (document)
            {
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    return $"Line {LineNumber} is {Describe(root)}, not a JSON object; send one object per line, " +
                        $"such as {RowExample}.";
                }

                return root.TryGetProperty("csr", out _) ? AddRow(root) : ReadSettings(root);
            }
        }

        private string? ReadSettings(JsonElement root)
        {
            if (_settings is not null || _rows > 0)
            {
                return $"Line {LineNumber} has no csr. Only the first line may hold the task settings (certInfo, " +
                    $"register); every other line is a row such as {RowExample}.";
            }

            foreach (var property in root.EnumerateObject())
            {
                if (property.Name is "csrs" or "quantity")
                {
                    return $"Line {LineNumber}: {property.Name} cannot be in the settings line of an " +
                        "application/x-ndjson upload, since the rows are the requests and their number is the " +
                        "quantity. Remove it.";
                }

                if (!SettingsProperties.Contains(property.Name))
                {
                    return $"Line {LineNumber} has the unknown property '{MessageText.Shorten(property.Name)}'. The " +
                        "settings line takes certInfo and register; a row takes csr and the subject fields " +
                        $"{string.Join(", ", OverrideFields)}.";
                }
            }

            var settings = CreateTaskRequestParser.ParseSigningSettings(root, options);
            if (settings.Error is { } error)
            {
                return $"Line {LineNumber} (the task settings): {error}";
            }

            _settings = settings;
            return null;
        }

        private string? AddRow(JsonElement root)
        {
            var row = new SigningRequest();
            var subject = new Subject();
            foreach (var property in root.EnumerateObject())
            {
                var name = property.Name;
                if (name != "csr" && !OverrideFields.Contains(name))
                {
                    return $"Line {LineNumber} has the unknown property '{MessageText.Shorten(name)}'. A row takes " +
                        $"csr and the subject fields {string.Join(", ", OverrideFields)}; property names are " +
                        "case-sensitive.";
                }

                var value = property.Value;
                if (value.ValueKind != JsonValueKind.String || !TryGetText(value, out var text))
                {
                    var expected = name == "csr" ? "the PEM of a certification request" : "text";
                    return $"Line {LineNumber}: {name} {Describe(value)} is not a string; set it to {expected} in " +
                        "double quotes.";
                }

                switch (name)
                {
                    case "csr":
                        row.Der = SigningRequestPem.Decode(text);
                        break;
                    case "commonName":
                        subject.CommonName = text.Length > 0 ? new NameRule { StaticValue = text } : null;
                        break;
                    case "organization":
                        subject.Organization = text;
                        break;
                    case "organizationalUnit":
                        subject.OrganizationalUnit = text;
                        break;
                    case "locality":
                        subject.Locality = text;
                        break;
                    case "stateName":
                        subject.StateName = text;
                        break;
                    case "country":
                        subject.Country = text;
                        break;
                    case "emailAddress":
                        subject.EmailAddress = text;
                        break;
                    default:
                        subject.DistinguishedNameQualifier = text;
                        break;
                }
            }

            if (subject.CalculateSize() > 0)
            {
                row.SubjectOverride = subject;
            }

            if (++_rows > options.MaxQuantity)
            {
                Status = StatusCodes.Status413PayloadTooLarge;
                return $"The upload has more than {options.MaxQuantity} certification requests, the most one task " +
                    $"may have ({BulkCertsOptions.SectionName}:MaxQuantity); line {LineNumber} is request " +
                    $"{_rows}. Split the requests across several tasks.";
            }

            Pending.Add(row);
            return null;
        }

        public ParseResult Finish()
        {
            if (_rows == 0)
            {
                return ParseResult.Fail(
                    $"The upload has no certification requests; send one JSON object per line, such as {RowExample}.");
            }

            var settings = _settings ?? CreateTaskRequestParser.ParseSigningSettings(default, options);
            return settings with { Request = settings.Request! with { Quantity = _rows } };
        }
    }
}
