using System.Formats.Asn1;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BulkCerts.CertEngine.Authorities;
using BulkCerts.CertEngine.V1;
using Google.Protobuf.WellKnownTypes;

namespace BulkCerts.CertEngine.Issuance;

/// <summary>
/// Signs the certification request at one offset of a request: the device keeps its key, so the
/// certificate carries the request's public key and no private key goes back. A request that
/// cannot be signed yields a certificate with only its index and the reason in <c>error</c>.
/// </summary>
public static class SigningRequestCertificateFactory
{
    private const int MaxErrorValueLength = 64;
    private const string CommonNameOid = "2.5.4.3";

    private static readonly OidCollection ClientAuthentication = [new Oid(Oids.ClientAuthentication)];

    // The subject fields an override may set, in the order the engine writes them, with their
    // attribute OIDs and the length limits of RFC 5280 appendix A (64 for dnQualifier).
    private static readonly (string Oid, string Name, int MaxLength)[] Fields =
    [
        ("2.5.4.6", "country", 2),
        ("2.5.4.8", "stateName", 128),
        ("2.5.4.7", "locality", 128),
        ("2.5.4.10", "organization", 64),
        ("2.5.4.11", "organizationalUnit", 64),
        (CommonNameOid, "commonName", CommonNames.MaxLength),
        ("1.2.840.113549.1.9.1", "emailAddress", 255),
        (Oids.DistinguishedNameQualifier, "distinguishedNameQualifier", 64),
    ];

    public static IssuedCertificate Issue(IssuanceRequest request, int offset)
    {
        var index = request.FirstIndex + offset;
        try
        {
            return Sign(request, request.SigningRequests[offset], index);
        }
        catch (SigningRequestException exception)
        {
            return new IssuedCertificate { Index = index, Error = exception.Message };
        }
        catch (CryptographicException exception)
        {
            return new IssuedCertificate
            {
                Index = index,
                Error = $"the request cannot be signed: {exception.Message}",
            };
        }
    }

    private static IssuedCertificate Sign(IssuanceRequest request, SigningRequest row, long index)
    {
        SigningRequestContent content;
        try
        {
            content = SigningRequestReader.Read(row.Der.Memory);
        }
        catch (Exception exception) when (exception is not (SigningRequestException or OperationCanceledException))
        {
            // The request comes from a device, so any failure to read or verify it is that row's error.
            // Explicit curve parameters and a PSS signature larger than the modulus raise such failures.
            throw new SigningRequestException(
                $"the request cannot be read or its signature checked ({exception.GetType().Name}: " +
                $"{Shorten(exception.Message)})");
        }

        var overrides = MergeOverrides(request.Subject, row.SubjectOverride);
        var subject = overrides.Count == 0
            ? new X500DistinguishedName(content.Subject.Span)
            : BuildSubject(new X500DistinguishedName(content.Subject.Span), overrides);
        if (!subject.EnumerateRelativeDistinguishedNames().Any())
        {
            throw new SigningRequestException(
                "the subject is empty and has no common name; set commonName in the request or the row");
        }

        CheckSubject(subject);

        var extensions = new List<X509Extension>
        {
            new X509BasicConstraintsExtension(false, false, 0, critical: true),
            new X509KeyUsageExtension(content.KeyUsage, critical: true),
            new X509EnhancedKeyUsageExtension(ClientAuthentication, critical: false),
            new X509SubjectKeyIdentifierExtension(
                PublicKey.CreateFromSubjectPublicKeyInfo(content.PublicKeyInfo.Span, out _), critical: false),
            request.Authority.AuthorityKeyIdentifier,
        };
        if (content.SubjectAltName is { } subjectAltName)
        {
            extensions.Add(subjectAltName);
        }

        var serialNumber = DeviceCertificateFactory.CreateSerialNumber();
        var notBefore = TruncateToSeconds(request.NotBefore);
        var notAfter = TruncateToSeconds(request.NotAfter);
        var der = Encode(request, serialNumber, subject, content.PublicKeyInfo.Span, notBefore, notAfter, extensions);

        var certificatePem = PemEncoding.WriteString("CERTIFICATE", der) + "\n";
        if (request.IncludeCertificateAuthority)
        {
            certificatePem += request.Authority.ChainPem;
        }

        return new IssuedCertificate
        {
            Index = index,
            CertId = Convert.ToHexStringLower(SHA256.HashData(der)),
            CommonName = FindCommonName(subject),
            SerialNumber = Convert.ToHexString(serialNumber),
            CertificatePem = certificatePem,
            NotBefore = Timestamp.FromDateTimeOffset(notBefore),
            NotAfter = Timestamp.FromDateTimeOffset(notAfter),
            Subject = subject.Name,
            Issuer = request.Authority.Certificate.Subject,
        };
    }

    /// <summary>
    /// Encodes and signs the certificate (RFC 5280 4.1). It is written here rather than by
    /// <see cref="CertificateRequest.Create(X500DistinguishedName, X509SignatureGenerator, DateTimeOffset,
    /// DateTimeOffset, byte[])"/>, which loads every certificate it signs into OpenSSL: that load cost
    /// about a quarter as much as the CA's RSA signature, and nothing here needs the loaded form.
    /// </summary>
    private static byte[] Encode(
        IssuanceRequest request,
        byte[] serialNumber,
        X500DistinguishedName subject,
        ReadOnlySpan<byte> publicKeyInfo,
        DateTimeOffset notBefore,
        DateTimeOffset notAfter,
        List<X509Extension> extensions)
    {
        var authority = request.Authority;
        var signatureAlgorithm = authority.SignatureGenerator.GetSignatureAlgorithmIdentifier(authority.HashAlgorithm);
        var tbs = new AsnWriter(AsnEncodingRules.DER);
        using (tbs.PushSequence())
        {
            using (tbs.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0)))
            {
                tbs.WriteInteger(2);
            }

            tbs.WriteIntegerUnsigned(serialNumber);
            tbs.WriteEncodedValue(signatureAlgorithm);
            tbs.WriteEncodedValue(authority.Certificate.SubjectName.RawData);
            using (tbs.PushSequence())
            {
                WriteTime(tbs, notBefore);
                WriteTime(tbs, notAfter);
            }

            tbs.WriteEncodedValue(subject.RawData);
            tbs.WriteEncodedValue(publicKeyInfo);
            using (tbs.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 3)))
            using (tbs.PushSequence())
            {
                foreach (var extension in extensions)
                {
                    using (tbs.PushSequence())
                    {
                        tbs.WriteObjectIdentifier(extension.Oid!.Value!);
                        if (extension.Critical)
                        {
                            tbs.WriteBoolean(true);
                        }

                        tbs.WriteOctetString(extension.RawData);
                    }
                }
            }
        }

        var tbsDer = tbs.Encode();
        var signature = authority.SignatureGenerator.SignData(tbsDer, authority.HashAlgorithm);
        var certificate = new AsnWriter(AsnEncodingRules.DER);
        using (certificate.PushSequence())
        {
            certificate.WriteEncodedValue(tbsDer);
            certificate.WriteEncodedValue(signatureAlgorithm);
            certificate.WriteBitString(signature);
        }

        return certificate.Encode();
    }

    /// <summary>UTCTime through 2049, GeneralizedTime from 2050, as RFC 5280 4.1.2.5 requires.</summary>
    private static void WriteTime(AsnWriter writer, DateTimeOffset time)
    {
        if (time.UtcDateTime.Year < 2050)
        {
            writer.WriteUtcTime(time);
        }
        else
        {
            writer.WriteGeneralizedTime(time, omitFractionalSeconds: true);
        }
    }

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return utc.AddTicks(-(utc.Ticks % TimeSpan.TicksPerSecond));
    }

    /// <summary>Returns the last common name of the subject, as written, or empty when it has none.</summary>
    private static string FindCommonName(X500DistinguishedName subject)
    {
        var commonName = string.Empty;
        foreach (var rdn in subject.EnumerateRelativeDistinguishedNames())
        {
            if (!rdn.HasMultipleElements && rdn.GetSingleElementType().Value == CommonNameOid)
            {
                commonName = rdn.GetSingleElementValue() ?? string.Empty;
            }
        }

        return commonName;
    }

    /// <summary>
    /// Returns a message naming the first field of a request-level override that no certificate
    /// could hold, or null. Only a static common name may be set.
    /// </summary>
    public static string? CheckRequestOverride(Subject? subject)
    {
        if (subject?.CommonName is { } rule
            && (rule.GeneratorCase is not (NameRule.GeneratorOneofCase.StaticValue or NameRule.GeneratorOneofCase.None)
                || rule.Base64Encode))
        {
            return "subject.common_name of a request with signing_requests must be a static_value without " +
                "base64_encode; the devices' requests carry their own names.";
        }

        try
        {
            _ = MergeOverrides(subject, null);
            return null;
        }
        catch (SigningRequestException exception)
        {
            return $"subject: {exception.Message}";
        }
    }

    /// <summary>
    /// Checks every attribute of the final subject, also one kept as the request wrote it. Each value
    /// must be a string without control characters, and the known fields keep their limits, so every
    /// certificate parses and its manifest entry is one line.
    /// </summary>
    private static void CheckSubject(X500DistinguishedName subject)
    {
        foreach (var rdn in subject.EnumerateRelativeDistinguishedNames(reversed: false))
        {
            if (rdn.HasMultipleElements)
            {
                continue;
            }

            var oid = rdn.GetSingleElementType().Value ?? string.Empty;
            if (rdn.GetSingleElementValue() is not { } value)
            {
                throw new SigningRequestException(
                    $"the subject attribute {oid} is not a string; encode it as UTF8String or PrintableString");
            }

            var position = Array.FindIndex(Fields, field => field.Oid == oid);
            if (position >= 0)
            {
                _ = Check(position, value);
            }
            else if (value.Any(c => char.IsControl(c) || char.GetUnicodeCategory(c) == UnicodeCategory.Format))
            {
                throw new SigningRequestException(
                    $"the subject attribute {oid} contains a control or format character");
            }
        }
    }

    private static string Shorten(string text) =>
        text.Length > 2 * MaxErrorValueLength ? text[..(2 * MaxErrorValueLength)] + "..." : text;

    /// <summary>Collects the override fields by OID, the row's taking precedence, each checked.</summary>
    private static Dictionary<string, string> MergeOverrides(Subject? requestLevel, Subject? row)
    {
        var values = new Dictionary<string, string>();
        foreach (var subject in new[] { requestLevel, row })
        {
            if (subject is null)
            {
                continue;
            }

            var commonName = subject.CommonName is { } rule ? rule.Prefix + rule.StaticValue : string.Empty;
            string[] fields =
            [
                subject.Country, subject.StateName, subject.Locality, subject.Organization,
                subject.OrganizationalUnit, commonName, subject.EmailAddress, subject.DistinguishedNameQualifier,
            ];
            for (var position = 0; position < Fields.Length; position++)
            {
                if (!string.IsNullOrEmpty(fields[position]))
                {
                    values[Fields[position].Oid] = Check(position, fields[position]);
                }
            }
        }

        return values;
    }

    private static string Check(int position, string value)
    {
        var (_, name, maxLength) = Fields[position];
        var quoted = value.Length > MaxErrorValueLength ? value[..MaxErrorValueLength] + "..." : value;
        var length = value.EnumerateRunes().Count();
        if (length > maxLength && name != "country")
        {
            throw new SigningRequestException(
                $"{name} '{quoted}' has {length} characters; the maximum is {maxLength}");
        }

        if (value.Any(c => char.IsControl(c) || char.GetUnicodeCategory(c) == UnicodeCategory.Format))
        {
            throw new SigningRequestException($"{name} '{quoted}' contains a control or format character");
        }

        var valid = name switch
        {
            "country" => value.Length == 2 && value.All(char.IsAsciiLetter),
            "emailAddress" => value.All(c => char.IsAscii(c) && !char.IsWhiteSpace(c)) && value.Contains('@'),
            "distinguishedNameQualifier" => value.All(IsPrintableStringCharacter),
            _ => !string.IsNullOrWhiteSpace(value),
        };
        if (!valid)
        {
            throw new SigningRequestException(name switch
            {
                "country" => $"country '{quoted}' is not a two-letter ISO 3166-1 code",
                "emailAddress" => $"emailAddress '{quoted}' is not an ASCII email address",
                "distinguishedNameQualifier" => $"distinguishedNameQualifier '{quoted}' has characters a " +
                    "PrintableString cannot hold",
                _ => $"{name} '{quoted}' is empty or only spaces",
            });
        }

        return name == "country" ? value.ToUpperInvariant() : value;
    }

    private static bool IsPrintableStringCharacter(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is ' ' or '\'' or '(' or ')' or '+' or ',' or '-' or '.' or '/' or ':'
            or '=' or '?';

    /// <summary>
    /// Builds the subject from the request's values and the overrides, in the order C, ST, L, O, OU,
    /// CN, emailAddress, dnQualifier. Attributes of other types follow in the request's order.
    /// </summary>
    private static X500DistinguishedName BuildSubject(
        X500DistinguishedName requested,
        Dictionary<string, string> overrides)
    {
        var values = new Dictionary<string, string>();
        var others = new List<(string Oid, string Value)>();
        foreach (var rdn in requested.EnumerateRelativeDistinguishedNames(reversed: false))
        {
            if (rdn.HasMultipleElements)
            {
                throw new SigningRequestException(
                    "the subject has a multi-valued RDN, so the overrides cannot be applied; leave them out");
            }

            var oid = rdn.GetSingleElementType().Value ?? string.Empty;
            var value = rdn.GetSingleElementValue() ?? string.Empty;
            if (Fields.Any(field => field.Oid == oid))
            {
                values[oid] = value;
            }
            else
            {
                others.Add((oid, value));
            }
        }

        foreach (var (oid, value) in overrides)
        {
            values[oid] = value;
        }

        // The builder encodes names in the reverse of the order they are added.
        var builder = new X500DistinguishedNameBuilder();
        try
        {
            for (var position = others.Count - 1; position >= 0; position--)
            {
                builder.Add(others[position].Oid, others[position].Value);
            }

            for (var position = Fields.Length - 1; position >= 0; position--)
            {
                if (!values.TryGetValue(Fields[position].Oid, out var value))
                {
                    continue;
                }

                UniversalTagNumber? encoding = Fields[position].Name switch
                {
                    "country" or "distinguishedNameQualifier" => UniversalTagNumber.PrintableString,
                    "emailAddress" => UniversalTagNumber.IA5String,
                    _ => null,
                };
                builder.Add(Fields[position].Oid, value, encoding);
            }

            return builder.Build();
        }
        catch (Exception exception) when (exception is ArgumentException or CryptographicException)
        {
            throw new SigningRequestException($"the subject cannot be encoded: {exception.Message}");
        }
    }
}
