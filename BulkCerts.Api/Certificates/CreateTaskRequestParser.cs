using System.Text.Json;

namespace BulkCerts.Api.Certificates;

/// <summary>
/// Turns a create-task request body into a <see cref="CertificateRequestSpec"/>, or into a message
/// that names the bad field, its value and the accepted values.
/// </summary>
/// <remarks>
/// The body is read as a <see cref="JsonElement"/> rather than bound to a type, so that a wrong
/// type or an out-of-range number gets a message about that field instead of a generic binding
/// error.
/// </remarks>
public static class CreateTaskRequestParser
{
    public const int MaxDaysExpiry = 825;
    public const int MaxCommonNameLength = 64;

    private const string Example = "{\"quantity\": 10, \"certInfo\": {\"commonName\": \"device\"}}";

    /// <summary>
    /// Subject fields with their length limits: the upper bounds of RFC 5280 appendix A, and 64 for
    /// dnQualifier, which has no bound there.
    /// </summary>
    private static readonly (string Name, int MaxLength)[] SubjectFields =
    [
        ("organization", 64),
        ("organizationalUnit", 64),
        ("locality", 128),
        ("stateName", 128),
        ("country", 2),
        ("emailAddress", 255),
        ("distinguishedNameQualifier", 64),
    ];

    private static readonly string[] RequestProperties = ["quantity", "register", "certInfo"];

    private static readonly string[] CertInfoProperties =
        ["commonName", "commonNameList", "includeCA", "daysExpiry", .. SubjectFields.Select(field => field.Name)];

    public static ParseResult Parse(JsonElement body, BulkCertsOptions options)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return ParseResult.Fail(
                $"The request body must be a JSON object, not {Describe(body)}. Send for example {Example}.");
        }

        if (FindMiscasedProperty(body, RequestProperties, string.Empty) is { } miscased)
        {
            return ParseResult.Fail(miscased);
        }

        if (ReadQuantity(body, options.MaxQuantity, out var quantity) is { } quantityError)
        {
            return ParseResult.Fail(quantityError);
        }

        if (ReadBoolean(body, "register", "register", out var register) is { } registerError)
        {
            return ParseResult.Fail(registerError);
        }

        var certInfo = default(JsonElement);
        if (body.TryGetProperty("certInfo", out var certInfoValue) && certInfoValue.ValueKind != JsonValueKind.Null)
        {
            if (certInfoValue.ValueKind != JsonValueKind.Object)
            {
                return ParseResult.Fail($"certInfo must be a JSON object, not {Describe(certInfoValue)}.");
            }

            if (FindMiscasedProperty(certInfoValue, CertInfoProperties, "certInfo.") is { } miscasedField)
            {
                return ParseResult.Fail(miscasedField);
            }

            certInfo = certInfoValue;
        }

        return ParseCertInfo(certInfo, quantity, register, options);
    }

    private static ParseResult ParseCertInfo(JsonElement certInfo, int quantity, bool register, BulkCertsOptions options)
    {
        var hasCertInfo = certInfo.ValueKind == JsonValueKind.Object;
        var fields = new Dictionary<string, string?>();

        foreach (var (name, maxLength) in SubjectFields.Prepend(("commonName", MaxCommonNameLength)))
        {
            string? value = null;
            if (hasCertInfo && ReadString(certInfo, name, maxLength, out value) is { } error)
            {
                return ParseResult.Fail(error);
            }

            fields[name] = value;
        }

        var defaults = options.Defaults;
        var commonName = fields["commonName"] ?? defaults.CommonName;
        if (string.IsNullOrEmpty(commonName))
        {
            return ParseResult.Fail("certInfo.commonName is missing and no default common name is configured. " +
                "Set certInfo.commonName, for example \"device\", or configure BulkCerts:Defaults:CommonName.");
        }

        var country = fields["country"] ?? defaults.Country;
        var emailAddress = fields["emailAddress"] ?? defaults.EmailAddress;
        var qualifier = fields["distinguishedNameQualifier"] ?? defaults.DistinguishedNameQualifier;
        if (CheckSubjectEncoding(country, emailAddress, qualifier) is { } encodingError)
        {
            return ParseResult.Fail(encodingError);
        }

        if (ReadBoolean(certInfo, "includeCA", "certInfo.includeCA", out var includeCertificateAuthority) is { } includeError)
        {
            return ParseResult.Fail(includeError);
        }

        if (ReadDaysExpiry(certInfo, options.DefaultDaysExpiry, out var daysExpiry) is { } daysError)
        {
            return ParseResult.Fail(daysError);
        }

        return ParseResult.Success(new CertificateRequestSpec
        {
            Quantity = quantity,
            Register = register,
            CommonName = commonName,
            Organization = fields["organization"] ?? defaults.Organization,
            OrganizationalUnit = fields["organizationalUnit"] ?? defaults.OrganizationalUnit,
            Locality = fields["locality"] ?? defaults.Locality,
            StateName = fields["stateName"] ?? defaults.StateName,
            Country = country?.ToUpperInvariant(),
            EmailAddress = emailAddress,
            DistinguishedNameQualifier = qualifier,
            IncludeCertificateAuthority = includeCertificateAuthority,
            DaysExpiry = daysExpiry,
        });
    }

    /// <summary>
    /// Checks the fields whose ASN.1 string types limit their characters: country and
    /// dnQualifier are PrintableString, emailAddress is IA5String (ASCII).
    /// </summary>
    private static string? CheckSubjectEncoding(string? country, string? emailAddress, string? qualifier)
    {
        if (country is not null && !(country.Length == 2 && country.All(char.IsAsciiLetter)))
        {
            return $"certInfo.country '{country}' is not a two-letter ISO 3166-1 code such as \"US\".";
        }

        if (emailAddress is not null && !IsEmailAddress(emailAddress))
        {
            return $"certInfo.emailAddress '{emailAddress}' is not an ASCII email address such as " +
                "\"devices@example.com\".";
        }

        if (qualifier is not null && !qualifier.All(IsPrintableStringCharacter))
        {
            return $"certInfo.distinguishedNameQualifier '{qualifier}' has characters a PrintableString cannot " +
                "hold; use letters, digits, spaces and ' ( ) + , - . / : = ?";
        }

        return null;
    }

    private static bool IsEmailAddress(string value)
    {
        var at = value.IndexOf('@');
        return at > 0 && at == value.LastIndexOf('@') && at < value.Length - 1
            && value.All(c => char.IsAscii(c) && !char.IsWhiteSpace(c) && !char.IsControl(c));
    }

    private static bool IsPrintableStringCharacter(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is ' ' or '\'' or '(' or ')' or '+' or ',' or '-' or '.' or '/' or ':'
            or '=' or '?';

    /// <summary>
    /// Returns a message for a property whose name differs from a known one only in case, because
    /// property names are case-sensitive and the misspelt one would otherwise be ignored.
    /// </summary>
    private static string? FindMiscasedProperty(JsonElement element, string[] knownNames, string path)
    {
        foreach (var property in element.EnumerateObject())
        {
            var known = knownNames.FirstOrDefault(name =>
                name.Equals(property.Name, StringComparison.OrdinalIgnoreCase) && name != property.Name);
            if (known is not null)
            {
                return $"Property '{path}{Truncate(property.Name)}' is not recognized; property names are " +
                    $"case-sensitive, so write '{path}{known}'.";
            }
        }

        return null;
    }

    private static string? ReadQuantity(JsonElement body, int maxQuantity, out int quantity)
    {
        quantity = 0;
        var range = $"quantity must be a whole number from 1 to {maxQuantity}";
        if (!body.TryGetProperty("quantity", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return $"quantity is missing; {range}.";
        }

        if (value.ValueKind != JsonValueKind.Number)
        {
            return $"quantity {Describe(value)} is not a number; {range}.";
        }

        if (!value.TryGetDecimal(out var number) || number != decimal.Truncate(number)
            || number < 1 || number > maxQuantity)
        {
            return $"quantity {Describe(value)} is out of range; {range}.";
        }

        quantity = (int)number;
        return null;
    }

    private static string? ReadDaysExpiry(JsonElement certInfo, int defaultDays, out int days)
    {
        days = defaultDays;
        if (certInfo.ValueKind != JsonValueKind.Object
            || !certInfo.TryGetProperty("daysExpiry", out var value)
            || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var range = $"certInfo.daysExpiry must be a whole number of days from 1 to {MaxDaysExpiry}";
        if (value.ValueKind != JsonValueKind.Number)
        {
            return $"certInfo.daysExpiry {Describe(value)} is not a number; {range}.";
        }

        if (!value.TryGetDecimal(out var number) || number != decimal.Truncate(number)
            || number < 1 || number > MaxDaysExpiry)
        {
            return $"certInfo.daysExpiry {Describe(value)} is out of range; {range}.";
        }

        days = (int)number;
        return null;
    }

    private static string? ReadBoolean(JsonElement parent, string name, string displayName, out bool value)
    {
        value = false;
        if (parent.ValueKind != JsonValueKind.Object
            || !parent.TryGetProperty(name, out var element)
            || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            return $"{displayName} {Describe(element)} is not a boolean; use true or false.";
        }

        value = element.GetBoolean();
        return null;
    }

    private static string? ReadString(JsonElement certInfo, string name, int maxLength, out string? value)
    {
        value = null;
        if (!certInfo.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            return $"certInfo.{name} {Describe(element)} is not a string; send text in double quotes.";
        }

        if (!TryGetText(element, out var text))
        {
            return $"certInfo.{name} is not valid Unicode text; send it as UTF-8 without unpaired surrogates.";
        }

        if (text.Length == 0 && name == "commonName")
        {
            return "certInfo.commonName is empty; set a name such as \"device\", or leave the property out to " +
                "use the configured default.";
        }

        if (text.Length > maxLength)
        {
            return $"certInfo.{name} '{Truncate(text)}' has {text.Length} characters; the maximum is {maxLength}.";
        }

        if (text.Any(char.IsControl))
        {
            return $"certInfo.{name} contains a control character; remove line breaks, tabs and other control codes.";
        }

        value = text.Length == 0 ? null : text;
        return null;
    }

    /// <summary>
    /// Reads a JSON string. System.Text.Json throws when the string holds invalid UTF-8 or an
    /// escaped unpaired surrogate, which a client can send but .NET cannot represent.
    /// </summary>
    private static bool TryGetText(JsonElement element, out string text)
    {
        try
        {
            text = element.GetString() ?? string.Empty;
            return true;
        }
        catch (InvalidOperationException)
        {
            text = string.Empty;
            return false;
        }
    }

    /// <summary>Describes a JSON value for a message: its text, and its kind where that helps.</summary>
    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String when TryGetText(value, out var text) => $"\"{Truncate(text)}\" (a string)",
        JsonValueKind.String => "(a string that is not valid Unicode text)",
        JsonValueKind.Object => $"{RawText(value)} (an object)",
        JsonValueKind.Array => $"{RawText(value)} (an array)",
        JsonValueKind.True or JsonValueKind.False => $"{RawText(value)} (a boolean)",
        JsonValueKind.Null => "null",
        _ => RawText(value),
    };

    private static string RawText(JsonElement value)
    {
        try
        {
            return Truncate(value.GetRawText());
        }
        catch (InvalidOperationException)
        {
            return "(text that is not valid UTF-8)";
        }
    }

    private static string Truncate(string text) => text.Length <= 80 ? text : text[..80] + "...";
}

/// <summary>The outcome of parsing: a request, or a message for a 400 response.</summary>
public readonly record struct ParseResult(CertificateRequestSpec? Request, string? Error)
{
    public static ParseResult Success(CertificateRequestSpec request) => new(request, null);

    public static ParseResult Fail(string error) => new(null, error);
}
