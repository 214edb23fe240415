using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace BulkCerts.Tests.Support;

/// <summary>Self-signed certificates for <c>certInfo.recipientCertificate</c>, valid or broken on purpose.</summary>
internal static class RecipientCertificateFiles
{
    public static string Rsa(
        int keySize = 2048,
        DateTimeOffset? notAfter = null,
        X509KeyUsageFlags? keyUsage = X509KeyUsageFlags.KeyEncipherment)
    {
        using var key = RSA.Create(keySize);
        var request = new CertificateRequest("CN=Recipient", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var signer = X509SignatureGenerator.CreateForRSA(key, RSASignaturePadding.Pkcs1);
        return SelfSign(request, signer, notAfter, keyUsage);
    }

    /// <summary>
    /// Returns an RSA certificate whose public key .NET reads but a stricter reader rejects: its
    /// modulus made even, or its exponent 65,538. The signature no longer matches, which no reader checks.
    /// </summary>
    public static string RsaWithBrokenKey(bool evenModulus)
    {
        using var original = X509Certificate2.CreateFromPem(Rsa());
        var der = original.RawData;

        // The modulus INTEGER is followed by the exponent INTEGER 02 03 01 00 01.
        var exponent = der.AsSpan().IndexOf(new byte[] { 0x02, 0x03, 0x01, 0x00, 0x01 });
        if (evenModulus)
        {
            der[exponent - 1] &= 0xFE;
        }
        else
        {
            der[exponent + 4] = 0x02;
        }

        return PemEncoding.WriteString("CERTIFICATE", der) + "\n";
    }

    public static string EcP256()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=EC Recipient", key, HashAlgorithmName.SHA256);
        var signer = X509SignatureGenerator.CreateForECDsa(key);
        return SelfSign(request, signer, notAfter: null, X509KeyUsageFlags.KeyAgreement);
    }

    private static string SelfSign(
        CertificateRequest request,
        X509SignatureGenerator signer,
        DateTimeOffset? notAfter,
        X509KeyUsageFlags? keyUsage)
    {
        if (keyUsage is { } usage)
        {
            request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, critical: true));
        }

        var end = notAfter ?? DateTimeOffset.UtcNow.AddDays(30);
        using var certificate = request.Create(request.SubjectName, signer, end.AddDays(-60), end, [0x01, 0x42]);
        return certificate.ExportCertificatePem() + "\n";
    }
}
