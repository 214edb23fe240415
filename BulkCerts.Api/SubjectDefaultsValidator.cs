using BulkCerts.Api.Certificates;

namespace BulkCerts.Api;

/// <summary>
/// Checks <c>BulkCerts:Defaults:*</c> by the rules that request values meet, because a default
/// reaches certificates without passing through request validation.
/// </summary>
internal static class SubjectDefaultsValidator
{
    private const string Prefix = $"{BulkCertsOptions.SectionName}:Defaults";

    public static IEnumerable<string> Validate(SubjectDefaults defaults, bool base64CommonNames)
    {
        (string Name, string? Value, int MaxLength)[] fields =
        [
            ("Organization", defaults.Organization, 64),
            ("OrganizationalUnit", defaults.OrganizationalUnit, 64),
            ("Locality", defaults.Locality, 128),
            ("StateName", defaults.StateName, 128),
            ("Country", defaults.Country, 2),
            ("EmailAddress", defaults.EmailAddress, 255),
            ("DistinguishedNameQualifier", defaults.DistinguishedNameQualifier, 64),
            ("CommonName", defaults.CommonName, CreateTaskRequestParser.MaxTemplateLength),
        ];

        foreach (var (name, value, maxLength) in fields)
        {
            if (value is null)
            {
                continue;
            }

            if (value.Length > maxLength)
            {
                yield return $"{Prefix}:{name} has {value.Length} characters; the maximum is {maxLength}.";
            }

            if (JsonFields.FindInvisibleCharacter(value) is { } position)
            {
                yield return $"{Prefix}:{name} contains the invisible or reserved character " +
                    $"U+{(int)value[position]:X4} at position {position + 1}; remove it.";
            }
        }

        if (defaults.Country is { } country && !SubjectRules.IsCountryCode(country))
        {
            yield return $"{Prefix}:Country '{country}' is not a two-letter ISO 3166-1 code such as US.";
        }

        if (defaults.EmailAddress is { } email && !SubjectRules.IsEmailAddress(email))
        {
            yield return $"{Prefix}:EmailAddress '{email}' is not an ASCII email address such as devices@example.com.";
        }

        if (defaults.DistinguishedNameQualifier is { } qualifier && !SubjectRules.IsPrintableString(qualifier))
        {
            yield return $"{Prefix}:DistinguishedNameQualifier '{qualifier}' has characters a PrintableString " +
                "cannot hold; use letters, digits, spaces and ' ( ) + , - . / : = ?";
        }

        if (defaults.CommonName is { Length: > 0 } commonName)
        {
            var template = NameTemplate.Parse(commonName, $"{Prefix}:CommonName", out var error);
            if (template is null)
            {
                yield return error!;
            }
            else if (template.Generator is NameGenerator.Plain or NameGenerator.Static)
            {
                var source = $"{Prefix}:CommonName";
                var problem = SubjectRules.CheckCommonName(template.NameAt(0), base64CommonNames, source);
                if (problem is not null)
                {
                    yield return problem;
                }
            }
        }
    }
}
