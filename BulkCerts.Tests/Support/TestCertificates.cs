using System.IO.Compression;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace BulkCerts.Tests.Support;

/// <summary>A device certificate and its private key as the zip carries them.</summary>
internal sealed record DeviceFiles(string CommonName, string CertId, string CertificatePem, string KeyPem);

/// <summary>
/// Makes CAs and device certificates with .NET (and BouncyCastle for Ed25519 and ML-DSA keys, as the
/// CertEngine does), and zips them in the layout of the API's download.
/// </summary>
internal static class TestCertificates
{
    /// <summary>
    /// Creates an EC P-256 CA, self-signed or signed by <paramref name="issuer"/>, with its private key.
    /// </summary>
    public static X509Certificate2 CreateAuthority(string subject, X509Certificate2? issuer = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));

        var notBefore = DateTimeOffset.UtcNow.AddDays(-1);
        var notAfter = DateTimeOffset.UtcNow.AddDays(30);
        if (issuer is null)
        {
            return request.CreateSelfSigned(notBefore, notAfter);
        }

        using var signed = request.Create(issuer, notBefore, notAfter, RandomSerial());
        return signed.CopyWithPrivateKey(key);
    }

    /// <summary>
    /// Issues a device certificate with a key of <paramref name="keyType"/>: RSA-PKCS1, RSA-PKCS8,
    /// EC, Ed25519 or ML-DSA-44.
    /// </summary>
    public static DeviceFiles IssueDevice(
        X509Certificate2 authority,
        string commonName,
        string keyType = "EC",
        DateTimeOffset? notAfter = null)
    {
        var (publicKeyInfo, keyPem) = CreateKey(keyType);
        var request = new CertificateRequest(
            new X500DistinguishedName($"CN={commonName}"),
            PublicKey.CreateFromSubjectPublicKeyInfo(publicKeyInfo, out _),
            HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));

        var end = notAfter ?? DateTimeOffset.UtcNow.AddDays(10);
        var start = end < DateTimeOffset.UtcNow ? end.AddDays(-10) : DateTimeOffset.UtcNow.AddMinutes(-5);
        using var authorityKey = authority.GetECDsaPrivateKey()!;
        using var certificate = request.Create(
            authority.SubjectName, X509SignatureGenerator.CreateForECDsa(authorityKey), start, end, RandomSerial());
        var certId = Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));
        return new DeviceFiles(commonName, certId, certificate.ExportCertificatePem() + "\n", keyPem);
    }

    /// <summary>
    /// Writes <paramref name="devices"/> as <c>{certId}_cert.pem</c>, <c>{certId}_key.pem</c> and a
    /// manifest, and returns the zip's path in a new temporary folder.
    /// </summary>
    public static string WriteZip(IEnumerable<DeviceFiles> devices)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("bulkcerts-cli-zip-").FullName, "certs.zip");
        using var archive = ZipFile.Open(path, ZipArchiveMode.Create);
        var manifest = new List<object>();
        foreach (var device in devices)
        {
            WriteEntry(archive, $"{device.CertId}_cert.pem", device.CertificatePem);
            WriteEntry(archive, $"{device.CertId}_key.pem", device.KeyPem);
            manifest.Add(new { commonName = device.CommonName, certId = device.CertId });
        }

        WriteEntry(archive, "certificate_manifest.json", JsonSerializer.Serialize(manifest));
        return path;
    }

    public static void WriteEntry(ZipArchive archive, string name, string text)
    {
        using var writer = new StreamWriter(archive.CreateEntry(name).Open());
        writer.Write(text);
    }

    private static (byte[] PublicKeyInfo, string KeyPem) CreateKey(string keyType)
    {
        switch (keyType)
        {
            case "RSA-PKCS1" or "RSA-PKCS8":
                using (var rsa = RSA.Create(2048))
                {
                    var pem = keyType == "RSA-PKCS1" ? rsa.ExportRSAPrivateKeyPem() : rsa.ExportPkcs8PrivateKeyPem();
                    return (rsa.ExportSubjectPublicKeyInfo(), pem);
                }

            case "EC":
                using (var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256))
                {
                    return (ec.ExportSubjectPublicKeyInfo(), ec.ExportPkcs8PrivateKeyPem());
                }

            case "Ed25519":
                var ed25519 = new Ed25519KeyPairGenerator();
                ed25519.Init(new Ed25519KeyGenerationParameters(new SecureRandom()));
                return Encode(ed25519.GenerateKeyPair());
            case "ML-DSA-44":
                var mlDsa = new MLDsaKeyPairGenerator();
                mlDsa.Init(new MLDsaKeyGenerationParameters(new SecureRandom(), MLDsaParameters.ml_dsa_44));
                return Encode(mlDsa.GenerateKeyPair());
            default:
                throw new ArgumentOutOfRangeException(nameof(keyType), keyType, "Unknown key type.");
        }
    }

    private static (byte[] PublicKeyInfo, string KeyPem) Encode(AsymmetricCipherKeyPair keyPair) => (
        SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(keyPair.Public).GetDerEncoded(),
        PemEncoding.WriteString(
            "PRIVATE KEY", PrivateKeyInfoFactory.CreatePrivateKeyInfo(keyPair.Private).GetDerEncoded()));

    /// <summary>Returns a positive 128-bit serial number.</summary>
    private static byte[] RandomSerial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        return serial;
    }
}
