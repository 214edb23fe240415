namespace BulkCerts.Api.Registry;

/// <summary>
/// Certificate fingerprints: SHA-256 of the DER, written as 64 hex digits in either case, or as 32
/// byte pairs separated by colons, as <c>openssl x509 -fingerprint -sha256</c> prints them.
/// </summary>
public static class Fingerprints
{
    public const int HexLength = 64;

    /// <summary>Returns the fingerprint as 64 lowercase hex digits, or null when it is in neither form.</summary>
    public static string? Normalize(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var hex = text.Length == HexLength + 31 && IsColonSeparated(text) ? text.Replace(":", string.Empty) : text;
        return hex.Length == HexLength && hex.All(char.IsAsciiHexDigit) ? hex.ToLowerInvariant() : null;
    }

    private static bool IsColonSeparated(string text)
    {
        for (var index = 2; index < text.Length; index += 3)
        {
            if (text[index] != ':')
            {
                return false;
            }
        }

        return true;
    }
}
