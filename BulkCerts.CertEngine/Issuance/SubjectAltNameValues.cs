using System.Globalization;
using System.Net;
using System.Net.Sockets;
using BulkCerts.CertEngine.V1;

namespace BulkCerts.CertEngine.Issuance;

/// <summary>
/// Syntax checks of subject alternative name values (RFC 5280 4.2.1.6). The Api compiles this file
/// too, so that it rejects at POST exactly the values the engine would reject.
/// </summary>
internal static class SubjectAltNameValues
{
    private const int MaxDnsNameLength = 253;
    private const int MaxDnsLabelLength = 63;

    /// <summary>Returns why <paramref name="value"/> is not a valid name of the type, or null when it is.</summary>
    public static string? Check(SubjectAltNameType type, string value) => type switch
    {
        SubjectAltNameType.Dns => CheckDnsName(value),
        SubjectAltNameType.Uri => CheckUri(value),
        SubjectAltNameType.IpAddress => CheckIpAddress(value),
        _ => "the type is not supported",
    };

    /// <summary>
    /// Accepts ASCII host names of letters, digits and hyphens (internationalised names in their
    /// xn-- form), with an optional "*" as the whole leftmost label.
    /// </summary>
    private static string? CheckDnsName(string value)
    {
        if (value.Length is 0 or > MaxDnsNameLength)
        {
            return $"a DNS name has 1 to {MaxDnsNameLength} characters";
        }

        var labels = value.Split('.');
        for (var position = 0; position < labels.Length; position++)
        {
            var label = labels[position];
            if (position == 0 && label == "*" && labels.Length > 1)
            {
                continue;
            }

            if (label.Length is 0 or > MaxDnsLabelLength)
            {
                return $"each DNS label has 1 to {MaxDnsLabelLength} characters";
            }

            if (!label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') || label[0] == '-' || label[^1] == '-')
            {
                return $"label '{label}' may hold only letters, digits and inner hyphens";
            }
        }

        return null;
    }

    private static string? CheckUri(string value)
    {
        // On Unix, Uri also takes "/path" as an absolute file URI; require an explicit scheme instead.
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri)
            || !value.StartsWith(uri.Scheme + ":", StringComparison.OrdinalIgnoreCase))
        {
            return "a URI needs a scheme, for example urn:dev:1 or https://example.com/devices/1";
        }

        if (!value.All(char.IsAscii))
        {
            return "a URI may hold only ASCII characters; percent-encode the others";
        }

        // A URI that needs escaping would be written to the certificate escaped, so not as sent.
        return Uri.IsWellFormedUriString(value, UriKind.Absolute)
            ? null
            : "the URI has characters that must be percent-encoded, such as spaces, < > or a stray %";
    }

    private static string? CheckIpAddress(string value)
    {
        if (value.Contains(':', StringComparison.Ordinal))
        {
            return IPAddress.TryParse(value, out var address)
                && address.AddressFamily == AddressFamily.InterNetworkV6
                && !value.Contains('%', StringComparison.Ordinal)
                    ? null
                    : "an IPv6 address looks like 2001:db8::1, without a zone";
        }

        // IPAddress.Parse also takes shorthand such as "10.1" for 10.0.0.1, and it reads a part with a
        // leading zero as octal ("010" is 8). So require four decimal parts without leading zeros.
        var parts = value.Split('.');
        var valid = parts.Length == 4 && parts.All(part =>
            part.Length is > 0 and <= 3
            && part.All(char.IsAsciiDigit)
            && (part.Length == 1 || part[0] != '0')
            && int.Parse(part, CultureInfo.InvariantCulture) <= 255);
        return valid
            ? null
            : "an IPv4 address has four decimal parts from 0 to 255 without leading zeros, like 192.0.2.1";
    }
}
