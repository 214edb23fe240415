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

    public static ParseResult Parse(JsonElement body, BulkCertsOptions options)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return ParseResult.Fail($"The request body must be a JSON object, not {Describe(body)}. " +
                "Send for example {\"quantity\": 10, \"certInfo\": {\"commonName\": \"device\"}}.");
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

        var country = (fields["country"] ?? defaults.Country)?.ToUpperInvariant();
        if (country is not null && !(country.Length == 2 && country.All(char.IsAsciiLetter)))
        {
            return ParseResult.Fail($"certInfo.country '{country}' is not a two-letter ISO 3166-1 code such as \"US\".");
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
            Country = country,
            EmailAddress = fields["emailAddress"] ?? defaults.EmailAddress,
            DistinguishedNameQualifier = fields["distinguishedNameQualifier"] ?? defaults.DistinguishedNameQualifier,
            IncludeCertificateAuthority = includeCertificateAuthority,
            DaysExpiry = daysExpiry,
        });
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
            return $"quantity {value.GetRawText()} is out of range; {range}.";
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
            return $"certInfo.daysExpiry {value.GetRawText()} is out of range; {range}.";
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

        var text = element.GetString()!;
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

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"\"{Truncate(value.GetString()!)}\" (a string)",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.True or JsonValueKind.False => $"{value.GetRawText()} (a boolean)",
        JsonValueKind.Null => "null",
        _ => Truncate(value.GetRawText()),
    };

    private static string Truncate(string text) => text.Length <= 80 ? text : text[..80] + "...";
}

/// <summary>The outcome of parsing: a request, or a message for a 400 response.</summary>
public readonly record struct ParseResult(CertificateRequestSpec? Request, string? Error)
{
    public static ParseResult Success(CertificateRequestSpec request) => new(request, null);

    public static ParseResult Fail(string error) => new(null, error);
}
