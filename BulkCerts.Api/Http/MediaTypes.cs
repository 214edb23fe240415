using Microsoft.Net.Http.Headers;

namespace BulkCerts.Api.Http;

/// <summary>
/// The media types the API reads and writes, and the choice of one from a request's headers.
/// </summary>
public static class MediaTypes
{
    /// <summary>The vendor type that clients of the original service send and expect.</summary>
    public const string CdfJson = "application/vnd.aws-cdf-v1.0+json";
    public const string Json = "application/json";
    public const string Zip = "application/zip";

    /// <summary>A download encrypted to a recipient certificate; the response adds smime-type=enveloped-data.</summary>
    public const string Pkcs7Mime = "application/pkcs7-mime";
    public const string EventStream = "text/event-stream";

    /// <summary>Newline-delimited JSON, the upload of certification requests one per line.</summary>
    public const string Ndjson = "application/x-ndjson";

    private static readonly string[] JsonTypes = [CdfJson, Json];

    /// <summary>
    /// Returns the JSON media type of the response: the one the Accept header prefers among
    /// <see cref="CdfJson"/> and <see cref="Json"/>, <see cref="Json"/> when the header is missing
    /// or accepts anything, or null when it accepts neither.
    /// </summary>
    public static string? SelectJsonResponseType(string? accept) => Select(accept, JsonTypes);

    /// <summary>
    /// Returns whether a download request accepts a zip. JSON types are accepted too, because clients
    /// of the original service send their JSON vendor type on every call.
    /// </summary>
    public static bool AcceptsZip(string? accept) => Select(accept, [Zip, .. JsonTypes]) is not null;

    /// <summary>
    /// Returns whether a download request accepts a zip encrypted to a recipient certificate: the
    /// PKCS#7 type, or any type a plain zip download accepts, since the client chose the encryption
    /// when it created the task.
    /// </summary>
    public static bool AcceptsEncryptedZip(string? accept) =>
        Select(accept, [Pkcs7Mime, Zip, .. JsonTypes]) is not null;

    /// <summary>Returns whether a request accepts server-sent events; a missing header accepts them.</summary>
    public static bool AcceptsEventStream(string? accept) => Select(accept, [EventStream]) is not null;

    /// <summary>
    /// Returns the type among <paramref name="offered"/> that the Accept header prefers: the first when
    /// the header is missing or accepts anything equally, or null when it accepts none.
    /// </summary>
    public static string? SelectAmong(string? accept, params string[] offered) =>
        string.IsNullOrWhiteSpace(accept) ? offered[0] : Select(accept, offered);

    /// <summary>
    /// Returns whether a request body is an upload of certification requests: application/x-ndjson,
    /// with no charset or with charset UTF-8.
    /// </summary>
    public static bool IsNdjsonContent(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType) || !MediaTypeHeaderValue.TryParse(contentType, out var parsed))
        {
            return false;
        }

        var charset = HeaderUtilities.RemoveQuotes(parsed.Charset).Value;
        return parsed.MediaType.Equals(Ndjson, StringComparison.OrdinalIgnoreCase)
            && (charset is null || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
                || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// Returns whether a request body of this Content-Type can be read as JSON: a JSON media type
    /// with no charset, or with charset UTF-8.
    /// </summary>
    public static bool IsJsonContent(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return true;
        }

        if (!MediaTypeHeaderValue.TryParse(contentType, out var parsed))
        {
            return false;
        }

        var charset = HeaderUtilities.RemoveQuotes(parsed.Charset).Value;
        if (charset is not null && !charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
            && !charset.Equals("utf8", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var mediaType = parsed.MediaType.Value ?? string.Empty;
        return mediaType.Equals(Json, StringComparison.OrdinalIgnoreCase)
            || (mediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase)
                && mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
    }

    private static string? Select(string? accept, string[] offered)
    {
        if (string.IsNullOrWhiteSpace(accept))
        {
            return offered[0] == Zip ? Zip : Json;
        }

        if (!MediaTypeHeaderValue.TryParseList([accept], out var ranges) || ranges.Count == 0)
        {
            return null;
        }

        string? best = null;
        var bestQuality = 0.0;
        var bestSpecificity = -1;
        foreach (var candidate in offered)
        {
            foreach (var range in ranges)
            {
                var quality = range.Quality ?? 1.0;
                if (quality <= 0 || !Matches(candidate, range))
                {
                    continue;
                }

                var specificity = 2;
                if (range.MatchesAllTypes)
                {
                    specificity = 0;
                }
                else if (range.MatchesAllSubTypes)
                {
                    specificity = 1;
                }

                if (quality > bestQuality || (quality == bestQuality && specificity > bestSpecificity))
                {
                    best = candidate;
                    bestQuality = quality;
                    bestSpecificity = specificity;
                }
            }
        }

        // A wildcard match gets the plainest type rather than the vendor type.
        return best == CdfJson && bestSpecificity < 2 ? Json : best;
    }

    /// <summary>
    /// Matches by type and subtype only: parameters such as charset do not narrow the match, and,
    /// unlike MediaTypeHeaderValue.IsSubsetOf, a +json suffix type does not match application/json.
    /// </summary>
    private static bool Matches(string candidate, MediaTypeHeaderValue range)
    {
        if (range.MatchesAllTypes)
        {
            return true;
        }

        var type = range.Type.Value ?? string.Empty;
        return range.MatchesAllSubTypes
            ? candidate.StartsWith(type + "/", StringComparison.OrdinalIgnoreCase)
            : candidate.Equals(range.MediaType.Value, StringComparison.OrdinalIgnoreCase);
    }
}
