using System.Net;
using System.Text;

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

    /// <summary>Returns the common name as the certificate holds it: as is, or base64 of its UTF-8 bytes.</summary>
    public static string Encode(string commonName, bool base64) =>
        base64 ? Convert.ToBase64String(Encoding.UTF8.GetBytes(commonName)) : commonName;

    /// <summary>Returns why <paramref name="name"/> is not a valid common name, or null.</summary>
    public static string? CheckCommonName(string name, bool base64, string source)
    {
        if (name.Length == 0)
        {
            return $"{source} produces an empty common name; set a prefix or a start value.";
        }

        var encoded = Encode(name, base64);
        if (encoded.Length > MaxCommonNameLength)
        {
            var form = base64 ? $"'{name}' is {encoded.Length} characters in base64" : $"'{name}' has {name.Length} characters";
            return $"{source} produces the common name {form}; the maximum is {MaxCommonNameLength}.";
        }

        return null;
    }

    /// <summary>Returns why <paramref name="value"/> is not a valid name of its kind, or null.</summary>
    public static string? CheckAltName(SubjectAltNameKind kind, string value, string source) => kind switch
    {
        SubjectAltNameKind.Dns when !IsDnsName(value) =>
            $"{source} produces '{value}', which is not a DNS name; use letters, digits and hyphens in dot-separated " +
            "labels of at most 63 characters.",
        SubjectAltNameKind.Uri when !Uri.TryCreate(value, UriKind.Absolute, out _) =>
            $"{source} produces '{value}', which is not an absolute URI such as urn:device:0001 or https://example.com/d/1.",
        SubjectAltNameKind.IpAddress when !IPAddress.TryParse(value, out _) =>
            $"{source} produces '{value}', which is not an IPv4 or IPv6 address.",
        _ => null,
    };

    private static bool IsDnsName(string value) =>
        value.Length is > 0 and <= 253
        && value.Split('.').All(label =>
            label.Length is > 0 and <= 63
            && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')
            && label[0] != '-' && label[^1] != '-');
}
