using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BulkCerts.CertEngine.Authorities;
using BulkCerts.CertEngine.DeviceKeys;
using BulkCerts.CertEngine.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace BulkCerts.CertEngine.Issuance;

/// <summary>
/// Builds one device certificate: a new key pair, an X.509 v3 certificate signed by the CA, and
/// both as PEM.
/// </summary>
public static class DeviceCertificateFactory
{
    /// <summary>How far notBefore lies in the past, to tolerate devices whose clocks run behind.</summary>
    public static readonly TimeSpan ClockSkewAllowance = TimeSpan.FromMinutes(5);

    private static readonly OidCollection ClientAuthentication = [new Oid(Oids.ClientAuthentication)];

    /// <summary>
    /// Issues the certificate at <paramref name="offset"/> of the request. Its RSA key comes from
    /// <paramref name="keyPool"/> when the pool has one of the requested size.
    /// </summary>
    public static IssuedCertificate Issue(IssuanceRequest request, int offset, RsaKeyPool? keyPool = null)
    {
        var commonName = CommonNames.Generate(request.Subject.CommonName, request.FirstIndex, offset);
        using var key = DeviceKeyGenerator.Generate(request.KeyAlgorithm, keyPool);
        var subject = BuildSubject(request.Subject, commonName);

        var certificateRequest = new CertificateRequest(subject, key.PublicKey, request.Authority.HashAlgorithm);
        AddExtensions(certificateRequest, request, offset, key);

        using var certificate = certificateRequest.Create(
            request.Authority.Certificate.SubjectName,
            request.Authority.SignatureGenerator,
            request.NotBefore,
            request.NotAfter,
            CreateSerialNumber());

        var certificatePem = certificate.ExportCertificatePem() + "\n";
        if (request.IncludeCertificateAuthority)
        {
            certificatePem += request.Authority.ChainPem;
        }

        var issued = new IssuedCertificate
        {
            Index = request.FirstIndex + offset,
            CertId = certificate.GetCertHashString(HashAlgorithmName.SHA256).ToLowerInvariant(),
            CommonName = commonName,
            SerialNumber = certificate.SerialNumber,
            CertificatePem = certificatePem,
            NotBefore = Timestamp.FromDateTimeOffset(certificate.NotBefore.ToUniversalTime()),
            NotAfter = Timestamp.FromDateTimeOffset(certificate.NotAfter.ToUniversalTime()),
            Subject = certificate.SubjectName.Name,
            Issuer = certificate.IssuerName.Name,
        };
        if (request.OutputFormat == OutputFormat.Pkcs12)
        {
            issued.Pkcs12 = ByteString.CopyFrom(BuildPkcs12(request, certificate, key, commonName));
        }
        else
        {
            issued.PrivateKeyPem = key.ExportPrivateKeyPem(request.PrivateKeyFormat) + "\n";
        }

        return issued;
    }

    private static byte[] BuildPkcs12(
        IssuanceRequest request,
        X509Certificate2 certificate,
        DeviceKey key,
        string commonName)
    {
        var pem = key.ExportPrivateKeyPem(PrivateKeyFormat.Pkcs8);
        var pkcs8 = new byte[pem.Length];
        try
        {
            var fields = PemEncoding.Find(pem);
            if (!Convert.TryFromBase64Chars(pem.AsSpan()[fields.Base64Data], pkcs8, out var length))
            {
                throw new CryptographicException("The PKCS#8 PEM of the device key contains invalid base64.");
            }

            IEnumerable<X509Certificate2> chain = request.IncludeCertificateAuthority ? request.Authority.Chain : [];
            return Pkcs12Files.Build(certificate, pkcs8.AsMemory(0, length), commonName, chain, request.Pkcs12Password);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    /// <summary>
    /// Builds the subject of the request's last certificate and returns why it cannot be encoded,
    /// for example a character that a PrintableString field cannot hold, or null when it can.
    /// </summary>
    public static string? CheckSubject(Subject subject, long firstIndex, int count)
    {
        try
        {
            BuildSubject(subject, CommonNames.Generate(subject.CommonName, firstIndex, count - 1));
            return null;
        }
        catch (Exception exception) when (exception is ArgumentException or CryptographicException)
        {
            return $"The subject cannot be encoded: {exception.Message}";
        }
    }

    /// <summary>
    /// Builds the subject in the conventional order C, ST, L, O, OU, CN, emailAddress,
    /// dnQualifier. The builder encodes names in the reverse of the order they are added.
    /// </summary>
    private static X500DistinguishedName BuildSubject(Subject subject, string commonName)
    {
        var builder = new X500DistinguishedNameBuilder();
        AddIfPresent(
            subject.DistinguishedNameQualifier,
            value => builder.Add(Oids.DistinguishedNameQualifier, value, UniversalTagNumber.PrintableString));
        AddIfPresent(subject.EmailAddress, builder.AddEmailAddress);
        builder.AddCommonName(commonName);
        AddIfPresent(subject.OrganizationalUnit, value => builder.AddOrganizationalUnitName(value));
        AddIfPresent(subject.Organization, value => builder.AddOrganizationName(value));
        AddIfPresent(subject.Locality, value => builder.AddLocalityName(value));
        AddIfPresent(subject.StateName, value => builder.AddStateOrProvinceName(value));
        AddIfPresent(subject.Country, builder.AddCountryOrRegion);

        return builder.Build();
    }

    private static void AddIfPresent(string value, Action<string> add)
    {
        if (!string.IsNullOrEmpty(value))
        {
            add(value);
        }
    }

    private static void AddExtensions(
        CertificateRequest certificateRequest,
        IssuanceRequest request,
        int offset,
        DeviceKey key)
    {
        var extensions = certificateRequest.CertificateExtensions;
        extensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        extensions.Add(new X509KeyUsageExtension(key.KeyUsage, critical: true));
        extensions.Add(new X509EnhancedKeyUsageExtension(ClientAuthentication, critical: false));
        extensions.Add(new X509SubjectKeyIdentifierExtension(certificateRequest.PublicKey, critical: false));
        extensions.Add(request.Authority.AuthorityKeyIdentifier);

        if (SubjectAltNames.Build(request.SubjectAltNames, request.FirstIndex, offset) is { } subjectAltName)
        {
            extensions.Add(subjectAltName);
        }
    }

    /// <summary>
    /// Returns a random positive 127-bit serial. The top byte is forced into 0x40..0x7F, so the
    /// DER integer is always 16 bytes with no sign padding.
    /// </summary>
    internal static byte[] CreateSerialNumber()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x3F) | 0x40);
        return serial;
    }
}
