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
