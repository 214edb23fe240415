using System.Text;
using BulkCerts.CertEngine.Issuance;
using BulkCerts.CertEngine.V1;

namespace BulkCerts.Api.Certificates;

/// <summary>
/// Checks values against what the certificate can encode: country and dnQualifier are
/// PrintableString, emailAddress is IA5String (ASCII), and names have the X.520 length limits.
/// </summary>
internal static class SubjectRules
{
    public const int MaxCommonNameLength = 64;

    public static bool IsCountryCode(string value) => value.Length == 2 && value.All(char.IsAsciiLetter);

    public static bool IsEmailAddress(string value)
    {
        var at = value.IndexOf('@');
        return at > 0 && at == value.LastIndexOf('@') && at < value.Length - 1
            && value.All(c => char.IsAscii(c) && !char.IsWhiteSpace(c) && !char.IsControl(c));
    }

    public static bool IsPrintableString(string value) => value.All(c =>
        char.IsAsciiLetterOrDigit(c) || c is ' ' or '\'' or '(' or ')' or '+' or ',' or '-' or '.' or '/' or ':'
            or '=' or '?');

    /// <summary>Returns the common name as the certificate contains it: as is, or base64 of its UTF-8 bytes.</summary>
    public static string Encode(string commonName, bool base64) =>
        base64 ? Convert.ToBase64String(Encoding.UTF8.GetBytes(commonName)) : commonName;

    /// <summary>Returns why <paramref name="name"/> is not a valid common name, or null.</summary>
    public static string? CheckCommonName(string name, bool base64, string source)
    {
        if (name.Length == 0)
        {
            return $"{source} produces an empty common name; set a prefix or a start value.";
        }

        if (string.IsNullOrWhiteSpace(name))
        {
            return $"{source} produces a common name of only spaces; set visible text.";
        }

        // X.520 bounds the common name in characters, so count Unicode scalar values, not UTF-16 units.
        var length = base64 ? Encode(name, base64).Length : name.EnumerateRunes().Count();
        if (length > MaxCommonNameLength)
        {
            var form = base64 ? $"{length} characters long in base64" : $"{length} characters long";
            return $"{source} produces the common name '{name}', which is {form}; " +
                $"the maximum is {MaxCommonNameLength}.";
        }

        return null;
    }

    /// <summary>Returns why <paramref name="value"/> is not a valid name of its kind, or null.</summary>
    public static string? CheckAltName(SubjectAltNameKind kind, string value, string source)
    {
        var type = kind switch
        {
            SubjectAltNameKind.Dns => SubjectAltNameType.Dns,
            SubjectAltNameKind.Uri => SubjectAltNameType.Uri,
            _ => SubjectAltNameType.IpAddress,
        };

        return SubjectAltNameValues.Check(type, value) is { } reason
            ? $"{source} produces '{value}', which is invalid: {reason}."
            : null;
    }
}
