using System.Net;
using System.Security.Cryptography.X509Certificates;
using BulkCerts.CertEngine.V1;
using Google.Protobuf.Collections;

namespace BulkCerts.CertEngine.Issuance;

/// <summary>
/// Builds the subjectAltName extension of each certificate from the request's rules, one name per
/// rule, each produced like the common name.
/// </summary>
public static class SubjectAltNames
{
    /// <summary>
    /// Returns a message that names the first rule that cannot produce a valid name for each of
    /// <paramref name="count"/> certificates, with the bad value, or null when all can.
    /// </summary>
    public static string? Validate(RepeatedField<SubjectAltNameRule> rules, long firstIndex, int count)
    {
        for (var position = 0; position < rules.Count; position++)
        {
            var field = $"subject_alt_names[{position}]";
            if (ValidateRule(rules[position], field, firstIndex, count) is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    /// <summary>Returns the extension of certificate <paramref name="offset"/>, or null without rules.</summary>
    public static X509Extension? Build(RepeatedField<SubjectAltNameRule> rules, long firstIndex, int offset)
    {
        if (rules.Count == 0)
        {
            return null;
        }

        var builder = new SubjectAlternativeNameBuilder();
        foreach (var rule in rules)
        {
            var value = NameRules.Generate(rule.Value, firstIndex, offset);
            switch (rule.Type)
            {
                case SubjectAltNameType.Dns:
                    builder.AddDnsName(value);
                    break;
                case SubjectAltNameType.Uri:
                    builder.AddUri(new Uri(value, UriKind.Absolute));
                    break;
                case SubjectAltNameType.IpAddress:
                    builder.AddIpAddress(IPAddress.Parse(value));
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(rules), rule.Type, "Unsupported name type.");
            }
        }

        // Not critical, because every certificate also has a common name in its subject (RFC 5280 4.2.1.6).
        return builder.Build(critical: false);
    }

    private static string? ValidateRule(SubjectAltNameRule rule, string field, long firstIndex, int count)
    {
        if (!Enum.IsDefined(rule.Type) || rule.Type == SubjectAltNameType.Unspecified)
        {
            return $"{field}.type {(int)rule.Type} is not supported; use DNS, URI or IP_ADDRESS.";
        }

        if (rule.Value is null)
        {
            return $"{field}.value is missing; set a prefix and a generator.";
        }

        if (rule.Value.Base64Encode)
        {
            return $"{field}.value.base64_encode is set, but base64 applies to the common name only; clear it.";
        }

        if (NameRules.ValidateGenerator(rule.Value, $"{field}.value", count) is { } problem)
        {
            return problem;
        }

        // Every value is checked, because a prefix plus generated digits can be valid for some
        // certificates only (for example an IPv4 address whose last part passes 255).
        for (var offset = 0; offset < count; offset++)
        {
            var value = NameRules.Generate(rule.Value, firstIndex, offset);
            if (SubjectAltNameValues.Check(rule.Type, value) is { } reason)
            {
                return $"{field} ({rule.Type}) value '{value}' of certificate {firstIndex + offset} is invalid: " +
                    $"{reason}.";
            }
        }

        return null;
    }
}
