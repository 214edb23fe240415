using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BulkCerts.CertEngine;
using BulkCerts.CertEngine.Authorities;
using BulkCerts.CertEngine.Issuance;
using BulkCerts.CertEngine.V1;

namespace BulkCerts.Benchmarks.Micro;

/// <summary>
/// In-memory certificate authorities and issuance requests, built the way the engine builds them.
/// </summary>
public static class MicroFixtures
{
    /// <summary>Certificates per chunk, as the Api stores and downloads them.</summary>
    public const int ChunkSize = 100;

    /// <summary>
    /// Creates a self-signed CA with a new RSA-2048 or EC P-256 key. RSA-2048 is the algorithm of
    /// the engine's generated development CA.
    /// </summary>
    public static CertificateAuthority CreateAuthority(KeyAlgorithm algorithm)
    {
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName($"Benchmark {algorithm} CA");
        subject.AddOrganizationName("BulkCerts");

        AsymmetricAlgorithm key;
        CertificateRequest request;
        switch (algorithm)
        {
            case KeyAlgorithm.Rsa2048:
                var rsa = RSA.Create(2048);
                key = rsa;
                request = new CertificateRequest(
                    subject.Build(), rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
                break;
            case KeyAlgorithm.EcP256:
                var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                key = ecdsa;
                request = new CertificateRequest(subject.Build(), ecdsa, HashAlgorithmName.SHA256);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unsupported CA algorithm; use Rsa2048 or EcP256.");
        }

        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature,
            critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));

        var now = DateTimeOffset.UtcNow;
        using var selfSigned = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(10));

        // The engine keeps the CA certificate without its private key and signs through an AuthorityKey.
        var certificate = X509CertificateLoader.LoadCertificate(selfSigned.RawData);
        return new CertificateAuthority("default", certificate, [], new DotNetAuthorityKey(key));
    }

    /// <summary>
    /// Creates a validated request for <paramref name="count"/> devices named device-0000,
    /// device-0001 and so on from <paramref name="firstIndex"/>, with the engine's default validity
    /// and private key format.
    /// </summary>
    public static IssuanceRequest CreateRequest(
        CertificateAuthority authority,
        KeyAlgorithm deviceKey,
        int count,
        long firstIndex = 0)
    {
        var request = new IssueCertificatesRequest
        {
            CertificateAuthority = authority.Alias,
            Count = count,
            FirstIndex = firstIndex,
            KeyAlgorithm = deviceKey,
            Subject = new Subject
            {
                CommonName = new NameRule { Prefix = "device-", IncrementStart = "0000" },
                Organization = "BulkCerts",
            },
        };
        return IssuanceRequestValidator.Validate(request, authority, new CertEngineOptions(), DateTimeOffset.UtcNow);
    }

    /// <summary>Issues one chunk of device certificates through the engine's factory.</summary>
    public static IssueCertificatesResponse IssueChunk(CertificateAuthority authority, KeyAlgorithm deviceKey)
    {
        var request = CreateRequest(authority, deviceKey, ChunkSize);
        var chunk = new IssueCertificatesResponse();
        for (var offset = 0; offset < ChunkSize; offset++)
        {
            chunk.Certificates.Add(DeviceCertificateFactory.Issue(request, offset));
        }

        return chunk;
    }
}
