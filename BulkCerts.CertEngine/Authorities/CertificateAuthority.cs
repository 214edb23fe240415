using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace BulkCerts.CertEngine.Authorities;

/// <summary>
/// A loaded certificate authority: its certificate, chain and signing key, held in memory only.
/// </summary>
public sealed class CertificateAuthority : IDisposable
{
    private readonly AsymmetricAlgorithm _privateKey;

    public CertificateAuthority(
        string alias,
        X509Certificate2 certificate,
        IReadOnlyList<X509Certificate2> intermediates,
        AsymmetricAlgorithm privateKey)
    {
        Alias = alias;
        Certificate = certificate;
        _privateKey = privateKey;

        ChainPem = string.Concat(
            new[] { certificate }.Concat(intermediates).Select(c => c.ExportCertificatePem() + "\n"));

        SignatureGenerator = privateKey switch
        {
            RSA rsa => X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1),
            ECDsa ecdsa => X509SignatureGenerator.CreateForECDsa(ecdsa),
            _ => throw new NotSupportedException(
                $"Certificate authority '{alias}' has a {privateKey.GetType().Name} key; use an RSA or EC key."),
        };

        HashAlgorithm = privateKey is ECDsa { KeySize: > 256 } ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256;
        AuthorityKeyIdentifier = CreateAuthorityKeyIdentifier(certificate);
    }

    public string Alias { get; }

    public X509Certificate2 Certificate { get; }

    /// <summary>The CA certificate followed by its intermediates, as PEM.</summary>
    public string ChainPem { get; }

    /// <summary>
    /// Signs device certificates. The underlying OpenSSL key supports concurrent signing, so one
    /// generator serves all threads.
    /// </summary>
    public X509SignatureGenerator SignatureGenerator { get; }

    public HashAlgorithmName HashAlgorithm { get; }

    /// <summary>Key algorithm and size, for example "RSA-2048" or "EC-P256".</summary>
    public string KeyAlgorithmName => _privateKey switch
    {
        RSA rsa => $"RSA-{rsa.KeySize}",
        ECDsa ecdsa => $"EC-P{ecdsa.KeySize}",
        _ => _privateKey.GetType().Name,
    };

    public X509AuthorityKeyIdentifierExtension AuthorityKeyIdentifier { get; }

    public void Dispose()
    {
        _privateKey.Dispose();
        Certificate.Dispose();
    }

    private static X509AuthorityKeyIdentifierExtension CreateAuthorityKeyIdentifier(X509Certificate2 certificate)
    {
        var subjectKeyIdentifier = certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>().FirstOrDefault()
            ?? new X509SubjectKeyIdentifierExtension(certificate.PublicKey, critical: false);

        return X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(subjectKeyIdentifier);
    }
}
