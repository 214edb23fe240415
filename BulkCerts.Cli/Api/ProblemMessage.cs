using System.Text.Json;

namespace BulkCerts.Cli.Api;

/// <summary>Reads the error text of a problem document (RFC 9457) that the API sends with every error.</summary>
public static class ProblemMessage
{
    /// <summary>
    /// Returns <c>message</c>, else <c>detail</c>, else <c>title</c> of the body, or null when the body
    /// is not a JSON object with one of them (Kestrel rejects some malformed requests with no body).
    /// </summary>
    public static string? Read(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            foreach (var name in (string[])["message", "detail", "title"])
            {
                if (json.RootElement.TryGetProperty(name, out var value)
                    && value.ValueKind == JsonValueKind.String
                    && value.GetString() is { Length: > 0 } text)
                {
                    return text;
                }
            }

            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
