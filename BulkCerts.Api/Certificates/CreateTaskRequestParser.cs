using System.Text.Json;
using BulkCerts.Api.Http;
using static BulkCerts.Api.Certificates.JsonFields;

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
    public const int MaxTemplateLength = 256;
    public const int MaxSubjectAltNames = 20;

    /// <summary>The only value <c>certInfo.privateKeyFormat</c> accepts, case-insensitively.</summary>
    public const string Pkcs8 = "pkcs8";

    /// <summary>Maximum length of <c>certInfo.pkcs12Password</c>, in characters.</summary>
    public const int MaxPkcs12PasswordLength = 1024;

    /// <summary>The values of <c>certInfo.outputFormat</c>, accepted in any case.</summary>
    internal static readonly string[] OutputFormats = ["pem", "pkcs12", "der"];

    private const string Example = "{\"quantity\": 10, \"certInfo\": {\"commonName\": \"device\"}}";

    /// <summary>
    /// Subject fields with their length limits: the upper bounds of RFC 5280 appendix A, and 64 for
    /// dnQualifier, which has no bound there.
    /// </summary>
    internal static readonly (string Name, int MaxLength)[] SubjectFields =
    [
        ("organization", 64),
        ("organizationalUnit", 64),
        ("locality", 128),
        ("stateName", 128),
        ("country", 2),
        ("emailAddress", 255),
        ("distinguishedNameQualifier", 64),
    ];

    internal static readonly string[] RequestProperties = ["quantity", "register", "certInfo", "csrs"];

    internal static readonly string[] CertInfoProperties =
    [
        "commonName", "commonNameList", "includeCA", "daysExpiry", "subjectAltNames", "keyAlgorithm",
        "privateKeyFormat", "outputFormat", "pkcs12Password", "recipientCertificate",
        .. SubjectFields.Select(field => field.Name),
    ];

    public static ParseResult Parse(JsonElement body, BulkCertsOptions options)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return ParseResult.Fail(
                $"The request body must be a JSON object, not {Describe(body)}. Send for example {Example}.");
        }

        var certInfo = default(JsonElement);
        if (TryGet(body, "certInfo", out var certInfoValue))
        {
            if (certInfoValue.ValueKind != JsonValueKind.Object)
            {
                return ParseResult.Fail($"certInfo must be a JSON object, not {Describe(certInfoValue)}.");
            }

            certInfo = certInfoValue;
        }

        if ((FindMiscasedProperty(body, RequestProperties, string.Empty)
            ?? FindMiscasedProperty(certInfo, CertInfoProperties, "certInfo.")) is { } miscased)
        {
            return ParseResult.Fail(miscased);
        }

        if (body.TryGetProperty("csrs", out var csrs))
        {
            return ParseSigning(body, csrs, options);
        }

        var maxQuantity = options.MaxQuantity;
        string? error;
        if ((error = ReadBoolean(body, "register", "register", out var register)) is not null
            || (error = ReadCommonName(certInfo, options, out var commonName)) is not null)
        {
            return ParseResult.Fail(error);
        }

        if (CheckCommonNameListLength(certInfo, commonName!, maxQuantity) is { } tooLong)
        {
            return ParseResult.Fail(tooLong, StatusCodes.Status413PayloadTooLarge);
        }

        if ((error = ReadCommonNameList(certInfo, commonName!, out var commonNameList)) is not null
            || (error = ResolveQuantity(body, commonName!, commonNameList, maxQuantity, out var quantity)) is not null
            || (error = CheckCommonNames(commonName!, commonNameList, quantity, options.Base64CommonNames)) is not null
            || (error = ReadSubjectAltNames(certInfo, commonNameList, quantity, out var subjectAltNames)) is not null
            || (error = ReadSubject(certInfo, options.Defaults, out var subject)) is not null
            || (error = ReadBoolean(certInfo, "includeCA", "certInfo.includeCA", out var includeCa)) is not null
            || (error = ReadDaysExpiry(certInfo, out var days)) is not null
            || (error = ReadKeyAlgorithm(certInfo, out var keyAlgorithm)) is not null
            || (error = ReadPrivateKeyFormat(certInfo, out var pkcs8)) is not null
            || (error = ReadOutputFormat(certInfo, includeCa, out var outputFormat, out var password)) is not null
            || (error = RecipientCertificates.Read(certInfo, DateTimeOffset.UtcNow, out var recipient)) is not null)
        {
            return ParseResult.Fail(error);
        }

        var request = new CertificateRequestSpec
        {
            Quantity = quantity,
            Register = register,
            CommonName = commonName!,
            Base64CommonName = options.Base64CommonNames,
            SubjectAltNames = subjectAltNames,
            IncludeCertificateAuthority = includeCa,
            DaysExpiry = days ?? options.DefaultDaysExpiry,
            DaysExpiryIsDefault = days is null,
            KeyAlgorithm = keyAlgorithm,
            Pkcs8PrivateKeys = pkcs8,
            OutputFormat = outputFormat,
            RecipientCertificate = recipient,
        };
        return ParseResult.Success(WithSubject(request, subject), commonNameList, password);
    }

    /// <summary>
    /// Parses a body with <c>csrs</c>: the task's settings, and one row per PEM request. The
    /// requests' contents are left to the CertEngine, which reports a bad one as a row error.
    /// </summary>
    private static ParseResult ParseSigning(JsonElement body, JsonElement csrs, BulkCertsOptions options)
    {
        const string Shape = "send csrs as an array of PEM strings, each -----BEGIN CERTIFICATE REQUEST----- ...";
        if (csrs.ValueKind != JsonValueKind.Array)
        {
            return ParseResult.Fail($"csrs {Describe(csrs)} is not an array; {Shape}.");
        }

        var count = csrs.GetArrayLength();
        if (count == 0)
        {
            return ParseResult.Fail($"csrs is an empty array; {Shape}, one per certificate.");
        }

        var maxQuantity = options.MaxQuantity;
        if (count > maxQuantity)
        {
            return ParseResult.Fail(
                $"csrs has {count} certification requests; the maximum is {maxQuantity} " +
                $"({BulkCertsOptions.SectionName}:MaxQuantity). Split them across several tasks of at most " +
                $"{maxQuantity} each.",
                StatusCodes.Status413PayloadTooLarge);
        }

        var error = ReadWholeNumber(body, "quantity", "quantity", 1, maxQuantity, out var quantity);
        if (error is null && quantity is not null && quantity != count)
        {
            error = $"quantity {quantity} differs from the {count} entries of csrs; leave quantity out, or set it " +
                $"to {count}.";
        }

        if (error is not null)
        {
            return ParseResult.Fail(error);
        }

        var rows = new List<CertEngine.V1.SigningRequest>(count);
        foreach (var entry in csrs.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.String || !TryGetText(entry, out var pem))
            {
                return ParseResult.Fail($"csrs[{rows.Count}] {Describe(entry)} is not a string; {Shape}.");
            }

            rows.Add(new CertEngine.V1.SigningRequest { Der = SigningRequestPem.Decode(pem) });
        }

        var settings = ParseSigningSettings(body, options);
        return settings.Request is { } spec
            ? settings with { Request = spec with { Quantity = count }, SigningRequests = rows }
            : settings;
    }

    /// <summary>
    /// Reads the settings of a task that signs certification requests: the body's register and
    /// certInfo, without csrs or quantity. Subject fields override those of every request, and
    /// the configured defaults do not apply, since the requests carry their own subjects.
    /// </summary>
    internal static ParseResult ParseSigningSettings(JsonElement body, BulkCertsOptions options)
    {
        var certInfo = TryGet(body, "certInfo", out var certInfoValue) ? certInfoValue : default;
        if (certInfo.ValueKind is not (JsonValueKind.Object or JsonValueKind.Undefined))
        {
            return ParseResult.Fail($"certInfo must be a JSON object, not {Describe(certInfo)}.");
        }

        if (FindMiscasedProperty(certInfo, CertInfoProperties, "certInfo.") is { } miscased)
        {
            return ParseResult.Fail(miscased);
        }

        (string Name, string Reason)[] devicesOwn =
        [
            ("keyAlgorithm", "each device's key comes from its certification request"),
            ("privateKeyFormat", "the devices keep their private keys, so none are returned"),
            ("subjectAltNames", "each certificate takes the subjectAltName of its certification request"),
            ("commonNameList", "the names come from the certification requests; set commonName per row in an " +
                "application/x-ndjson upload instead"),
        ];
        foreach (var (name, reason) in devicesOwn)
        {
            if (TryGet(certInfo, name, out _))
            {
                return ParseResult.Fail($"certInfo.{name} cannot be set with certification requests: {reason}. " +
                    "Leave it out.");
            }
        }

        string? error;
        if ((error = ReadBoolean(body, "register", "register", out var register)) is not null
            || (error = ReadSigningCommonName(certInfo, out var commonName)) is not null
            || (error = ReadSubject(certInfo, new SubjectDefaults(), out var subject)) is not null
            || (error = ReadBoolean(certInfo, "includeCA", "certInfo.includeCA", out var includeCa)) is not null
            || (error = ReadDaysExpiry(certInfo, out var days)) is not null
            || (error = ReadOutputFormat(certInfo, includeCa, out var outputFormat, out _)) is not null
            || (error = RecipientCertificates.Read(certInfo, DateTimeOffset.UtcNow, out var recipient)) is not null)
        {
            return ParseResult.Fail(error);
        }

        if (outputFormat == FileFormat.Pkcs12)
        {
            return ParseResult.Fail("certInfo.outputFormat 'pkcs12' cannot be used with certification requests: a " +
                ".p12 file holds a private key, and the devices keep theirs. Use pem or der.");
        }

        var request = new CertificateRequestSpec
        {
            Quantity = 0,
            Register = register,
            CommonName = commonName!,
            SignsRequests = true,
            IncludeCertificateAuthority = includeCa,
            DaysExpiry = days ?? options.DefaultDaysExpiry,
            DaysExpiryIsDefault = days is null,
            OutputFormat = outputFormat,
            RecipientCertificate = recipient,
        };
        return ParseResult.Success(WithSubject(request, subject), null);
    }

    /// <summary>Returns the spec with the subject fields read from the request or taken from the defaults.</summary>
    private static CertificateRequestSpec WithSubject(
        CertificateRequestSpec spec,
        Dictionary<string, string?> subject) =>
        spec with
        {
            Organization = subject["organization"],
            OrganizationalUnit = subject["organizationalUnit"],
            Locality = subject["locality"],
            StateName = subject["stateName"],
            Country = subject["country"]?.ToUpperInvariant(),
            EmailAddress = subject["emailAddress"],
            DistinguishedNameQualifier = subject["distinguishedNameQualifier"],
        };

    /// <summary>
    /// Reads the common name that replaces each request's: a plain name, or none (an empty name)
    /// to keep the requests' own.
    /// </summary>
    private static string? ReadSigningCommonName(JsonElement certInfo, out NameTemplate? template)
    {
        template = new NameTemplate(NameGenerator.Plain, string.Empty, string.Empty, null);
        var error = ReadString(certInfo, "commonName", "certInfo.commonName", MaxTemplateLength, out var text);
        if (error is not null || text is null)
        {
            return error;
        }

        var parsed = NameTemplate.Parse(text, "certInfo.commonName", out error);
        if (parsed is null)
        {
            return error;
        }

        if (parsed.Generator != NameGenerator.Plain)
        {
            return $"certInfo.commonName '{MessageText.Shorten(text)}' uses a generator, but with certification " +
                "requests the common name is a plain name that replaces each request's, such as \"sensor\". Leave " +
                "it out to keep the names in the requests, or set commonName per row in an application/x-ndjson " +
                "upload.";
        }

        template = parsed;
        return SubjectRules.CheckCommonName(parsed.Prefix + parsed.Start, base64: false, "certInfo.commonName");
    }

    private static string? ReadCommonName(JsonElement certInfo, BulkCertsOptions options, out NameTemplate? template)
    {
        template = null;
        var error = ReadString(certInfo, "commonName", "certInfo.commonName", MaxTemplateLength, out var text);
        if (error is not null)
        {
            return error;
        }

        if (text is { Length: 0 })
        {
            return "certInfo.commonName is empty; set a name such as \"device\", or leave the property out to " +
                "use the configured default.";
        }

        var source = text is null ? $"{BulkCertsOptions.SectionName}:Defaults:CommonName" : "certInfo.commonName";
        text ??= options.Defaults.CommonName;
        if (string.IsNullOrEmpty(text))
        {
            return "certInfo.commonName is missing and no default common name is configured. " +
                "Set certInfo.commonName, for example \"device\", or configure BulkCerts:Defaults:CommonName.";
        }

        template = NameTemplate.Parse(text, source, out error);
        return error;
    }

    /// <summary>
    /// Rejects a <c>${list}</c> request with more names than one task may have. It is a separate
    /// step because the status is 413, not 400: the body is too large, not malformed.
    /// </summary>
    private static string? CheckCommonNameListLength(JsonElement certInfo, NameTemplate commonName, int maxQuantity)
    {
        if (commonName.Generator != NameGenerator.List
            || !TryGet(certInfo, "commonNameList", out var list)
            || list.ValueKind != JsonValueKind.Array
            || list.GetArrayLength() <= maxQuantity)
        {
            return null;
        }

        return $"certInfo.commonNameList has {list.GetArrayLength()} entries; the maximum is {maxQuantity} " +
            $"({BulkCertsOptions.SectionName}:MaxQuantity). Split the names across several tasks of at most " +
            $"{maxQuantity} each.";
    }

    private static string? ReadCommonNameList(
        JsonElement certInfo,
        NameTemplate commonName,
        out IReadOnlyList<string>? values)
    {
        values = null;
        var present = TryGet(certInfo, "commonNameList", out var list);
        if (commonName.Generator != NameGenerator.List)
        {
            // Ignored, as the original service did, whose clients may send a list with any template.
            return null;
        }

        if (!present || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
        {
            var found = present ? Describe(list) : "missing";
            return $"certInfo.commonName uses ${{list}}, so certInfo.commonNameList must be a non-empty array of " +
                $"strings, one per certificate; it is {found}.";
        }

        var names = new List<string>(list.GetArrayLength());
        foreach (var entry in list.EnumerateArray())
        {
            var error = CheckString(entry, $"certInfo.commonNameList[{names.Count}]", MaxTemplateLength, out var name);
            if (error is not null)
            {
                return error;
            }

            names.Add(name!);
        }

        values = names;
        return null;
    }

    /// <summary>
    /// Takes the quantity from the list's length, from N in <c>${increment(N)}</c>, or from the
    /// body's <c>quantity</c>, in that order.
    /// </summary>
    private static string? ResolveQuantity(
        JsonElement body,
        NameTemplate commonName,
        IReadOnlyList<string>? commonNameList,
        int maxQuantity,
        out int quantity)
    {
        quantity = commonNameList?.Count ?? commonName.Quantity ?? 0;
        if (quantity > maxQuantity)
        {
            return $"certInfo.commonName sets a quantity of {quantity}; the maximum is {maxQuantity}.";
        }

        // The original service let the list or N override quantity, and its clients may send both.
        if (quantity > 0)
        {
            return null;
        }

        var error = ReadWholeNumber(body, "quantity", "quantity", 1, maxQuantity, out var value);
        quantity = value ?? 0;
        if (error is null && value is null)
        {
            error = $"quantity is missing; quantity must be a whole number from 1 to {maxQuantity}.";
        }

        return error;
    }

    /// <summary>
    /// Checks the names the template produces: the last one for increment (the longest), every
    /// list entry, and the single name of the other generators.
    /// </summary>
    private static string? CheckCommonNames(
        NameTemplate commonName,
        IReadOnlyList<string>? commonNameList,
        int quantity,
        bool base64)
    {
        if (commonNameList is not null)
        {
            for (var index = 0; index < commonNameList.Count; index++)
            {
                var source = $"certInfo.commonNameList[{index}]";
                var name = commonName.NameAt(index, commonNameList[index]);
                if (SubjectRules.CheckCommonName(name, base64, source) is { } error)
                {
                    return error;
                }
            }

            return null;
        }

        return SubjectRules.CheckCommonName(commonName.NameAt(quantity - 1), base64, "certInfo.commonName");
    }

    private static string? ReadSubjectAltNames(
        JsonElement certInfo,
        IReadOnlyList<string>? commonNameList,
        int quantity,
        out IReadOnlyList<SubjectAltNameSpec> names)
    {
        names = [];
        if (!TryGet(certInfo, "subjectAltNames", out var element))
        {
            return null;
        }

        const string Shape = "send {\"dns\": [...], \"uri\": [...], \"ipAddress\": [...]} with name templates";
        if (element.ValueKind != JsonValueKind.Object)
        {
            return $"certInfo.subjectAltNames {Describe(element)} is not an object; {Shape}.";
        }

        var specs = new List<SubjectAltNameSpec>();
        foreach (var property in element.EnumerateObject())
        {
            SubjectAltNameKind? kind = property.Name switch
            {
                "dns" => SubjectAltNameKind.Dns,
                "uri" => SubjectAltNameKind.Uri,
                "ipAddress" => SubjectAltNameKind.IpAddress,
                _ => null,
            };
            if (kind is null || property.Value.ValueKind != JsonValueKind.Array)
            {
                return $"certInfo.subjectAltNames.{MessageText.Shorten(property.Name)} is not a list of dns, " +
                    $"uri or ipAddress templates; {Shape}.";
            }

            var index = 0;
            foreach (var entry in property.Value.EnumerateArray())
            {
                var field = $"certInfo.subjectAltNames.{property.Name}[{index++}]";
                var error = CheckString(entry, field, MaxTemplateLength, out var text);
                if (error is not null)
                {
                    return error;
                }

                error = CheckAltName(kind.Value, text!, field, commonNameList, quantity, out var spec);
                if (error is not null)
                {
                    return error;
                }

                specs.Add(spec!);
            }
        }

        if (specs.Count > MaxSubjectAltNames)
        {
            return $"certInfo.subjectAltNames has {specs.Count} names; the maximum is {MaxSubjectAltNames}.";
        }

        names = specs;
        return null;
    }

    private static string? CheckAltName(
        SubjectAltNameKind kind,
        string text,
        string field,
        IReadOnlyList<string>? commonNameList,
        int quantity,
        out SubjectAltNameSpec? spec)
    {
        spec = null;
        var template = NameTemplate.Parse(text, field, out var error);
        if (template is null)
        {
            return error;
        }

        if (template.Generator == NameGenerator.List && commonNameList is null)
        {
            return $"{field} '{text}' uses ${{list}}, which takes its values from certInfo.commonNameList; use " +
                "${list} in certInfo.commonName too.";
        }

        // Every value is checked: increment digits run through A-F, which an IP address cannot hold.
        for (var index = 0; index < quantity; index++)
        {
            var value = template.NameAt(index, commonNameList?[index]);
            if (SubjectRules.CheckAltName(kind, value, field) is { } problem)
            {
                return problem;
            }
        }

        spec = new SubjectAltNameSpec(kind, template);
        return null;
    }

    private static string? ReadSubject(
        JsonElement certInfo,
        SubjectDefaults defaults,
        out Dictionary<string, string?> subject)
    {
        subject = new Dictionary<string, string?>
        {
            ["organization"] = defaults.Organization,
            ["organizationalUnit"] = defaults.OrganizationalUnit,
            ["locality"] = defaults.Locality,
            ["stateName"] = defaults.StateName,
            ["country"] = defaults.Country,
            ["emailAddress"] = defaults.EmailAddress,
            ["distinguishedNameQualifier"] = defaults.DistinguishedNameQualifier,
        };

        foreach (var (name, maxLength) in SubjectFields)
        {
            var error = ReadString(certInfo, name, $"certInfo.{name}", maxLength, out var value);
            if (error is not null)
            {
                return error;
            }

            if (!string.IsNullOrEmpty(value))
            {
                subject[name] = value;
            }
        }

        return CheckSubjectEncoding(subject["country"], subject["emailAddress"], subject["distinguishedNameQualifier"]);
    }

    private static string? CheckSubjectEncoding(string? country, string? emailAddress, string? qualifier)
    {
        if (country is not null && !SubjectRules.IsCountryCode(country))
        {
            return $"certInfo.country '{country}' is not a two-letter ISO 3166-1 code such as \"US\".";
        }

        if (emailAddress is not null && !SubjectRules.IsEmailAddress(emailAddress))
        {
            return $"certInfo.emailAddress '{emailAddress}' is not an ASCII email address such as " +
                "\"devices@example.com\".";
        }

        if (qualifier is not null && !SubjectRules.IsPrintableString(qualifier))
        {
            return $"certInfo.distinguishedNameQualifier '{qualifier}' has characters a PrintableString cannot " +
                "hold; use letters, digits, spaces and ' ( ) + , - . / : = ?";
        }

        return null;
    }

    private static string? ReadDaysExpiry(JsonElement certInfo, out int? days) =>
        ReadWholeNumber(certInfo, "daysExpiry", "certInfo.daysExpiry", 1, MaxDaysExpiry, out days);

    private static string? ReadKeyAlgorithm(JsonElement certInfo, out string keyAlgorithm)
    {
        keyAlgorithm = KeyAlgorithms.Default;
        var error = ReadString(certInfo, "keyAlgorithm", "certInfo.keyAlgorithm", 32, out var name);
        if (error is not null || name is null)
        {
            return error;
        }

        if (KeyAlgorithms.Canonical(name) is not { } canonical)
        {
            var supported = string.Join(", ", KeyAlgorithms.Names);
            return $"certInfo.keyAlgorithm '{name}' is not supported; use one of {supported}.";
        }

        keyAlgorithm = canonical;
        return null;
    }

    private static string? ReadPrivateKeyFormat(JsonElement certInfo, out bool pkcs8)
    {
        pkcs8 = false;
        var error = ReadString(certInfo, "privateKeyFormat", "certInfo.privateKeyFormat", 32, out var format);
        if (error is not null || format is null)
        {
            return error;
        }

        if (!format.Equals(Pkcs8, StringComparison.OrdinalIgnoreCase))
        {
            return $"certInfo.privateKeyFormat '{format}' is not supported; use \"pkcs8\", or leave it out for " +
                "PKCS#1 RSA keys and PKCS#8 keys of other algorithms.";
        }

        pkcs8 = true;
        return null;
    }

    /// <summary>
    /// Reads <c>certInfo.outputFormat</c> and the password that pkcs12 needs. Messages about the
    /// password never repeat it.
    /// </summary>
    private static string? ReadOutputFormat(
        JsonElement certInfo,
        bool includeCa,
        out FileFormat format,
        out string? password)
    {
        format = FileFormat.Pem;
        password = null;
        var error = ReadString(certInfo, "outputFormat", "certInfo.outputFormat", 32, out var name);
        if (error is not null)
        {
            return error;
        }

        if (name is not null)
        {
            if (OutputFormats.FirstOrDefault(known => known.Equals(name, StringComparison.OrdinalIgnoreCase)) is not
                { } known)
            {
                var supported = string.Join(", ", OutputFormats);
                return $"certInfo.outputFormat '{name}' is not supported; use one of {supported}.";
            }

            format = known switch
            {
                "pkcs12" => FileFormat.Pkcs12,
                "der" => FileFormat.Der,
                _ => FileFormat.Pem,
            };
        }

        if (format == FileFormat.Der && includeCa)
        {
            return "certInfo.outputFormat 'der' cannot be combined with certInfo.includeCA: a DER file holds one " +
                "certificate. Use outputFormat pem (or pkcs12) for the CA chain, or leave includeCA out.";
        }

        var present = TryGet(certInfo, "pkcs12Password", out var element);
        if (format != FileFormat.Pkcs12)
        {
            return present
                ? "certInfo.pkcs12Password is set, but certInfo.outputFormat is " +
                    $"'{format.ToString().ToLowerInvariant()}'; set outputFormat to pkcs12, or leave the password out."
                : null;
        }

        const string Rule = "send the password of the .p12 files as a non-empty string of at most 1024 characters";
        if (!present)
        {
            return $"certInfo.outputFormat is pkcs12, so certInfo.pkcs12Password is required; {Rule}.";
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            return $"certInfo.pkcs12Password is not a string (value not shown); {Rule}.";
        }

        if (!TryGetText(element, out var text))
        {
            return $"certInfo.pkcs12Password is not valid Unicode, for example an unpaired surrogate escape " +
                $"(value not shown); {Rule}.";
        }

        if (text.Length is 0 or > MaxPkcs12PasswordLength)
        {
            return $"certInfo.pkcs12Password has {text.Length} characters (value not shown); {Rule}.";
        }

        // PKCS#12 tools read a password as a C string, so a NUL would cut it short and the file could
        // not be opened with openssl.
        if (text.Contains('\0', StringComparison.Ordinal))
        {
            return $"certInfo.pkcs12Password contains the character U+0000 (value not shown); {Rule}, " +
                "without U+0000.";
        }

        password = text;
        return null;
    }

    /// <summary>
    /// Returns a message for a property whose name differs from a known one only in case, because
    /// property names are case-sensitive and the misspelt one would otherwise be ignored.
    /// </summary>
    private static string? FindMiscasedProperty(JsonElement element, string[] knownNames, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var property in element.EnumerateObject())
        {
            var known = knownNames.FirstOrDefault(name =>
                name.Equals(property.Name, StringComparison.OrdinalIgnoreCase) && name != property.Name);
            if (known is not null)
            {
                return $"Property '{path}{MessageText.Shorten(property.Name)}' is not recognized; property names are " +
                    $"case-sensitive, so write '{path}{known}'.";
            }
        }

        return null;
    }
}

/// <summary>
/// The outcome of parsing: a request and its common name list, or a message and the HTTP status
/// of the error response.
/// </summary>
public readonly record struct ParseResult(
    CertificateRequestSpec? Request,
    IReadOnlyList<string>? CommonNameList,
    string? Error,
    int Status = StatusCodes.Status200OK)
{
    /// <summary>The certification requests of a task that signs them, one per certificate.</summary>
    public IReadOnlyList<CertEngine.V1.SigningRequest>? SigningRequests { get; init; }

    /// <summary>
    /// The password of the PKCS#12 files, kept out of <see cref="Request"/> because that is stored as is.
    /// </summary>
    public string? Pkcs12Password { get; init; }

    public static ParseResult Success(
        CertificateRequestSpec request,
        IReadOnlyList<string>? commonNameList,
        string? pkcs12Password = null) =>
        new(request, commonNameList, null) { Pkcs12Password = pkcs12Password };

    public static ParseResult Fail(string error, int status = StatusCodes.Status400BadRequest) =>
        new(null, null, error, status);

    /// <summary>Describes the outcome without the password, which the generated form would print.</summary>
    public override string ToString() =>
        Error is null ? $"ParseResult {{ Quantity = {Request?.Quantity} }}" : $"ParseResult {{ Error = {Error} }}";
}
