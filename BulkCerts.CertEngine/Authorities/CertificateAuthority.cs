using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace BulkCerts.CertEngine.Authorities;

/// <summary>
/// A loaded certificate authority: its certificate, chain and signing key, held in memory only.
/// </summary>
public sealed class CertificateAuthority : IDisposable
{
    private readonly AuthorityKey _key;

    public CertificateAuthority(
        string alias,
        X509Certificate2 certificate,
        IReadOnlyList<X509Certificate2> intermediates,
        AuthorityKey key)
    {
        Alias = alias;
        Certificate = certificate;
        _key = key;

        Chain = [certificate, .. intermediates];
        ChainPem = string.Concat(Chain.Select(c => c.ExportCertificatePem() + "\n"));
        AuthorityKeyIdentifier = CreateAuthorityKeyIdentifier(certificate);
    }

    public string Alias { get; }

    public X509Certificate2 Certificate { get; }

    /// <summary>The CA certificate followed by its intermediates.</summary>
    public IReadOnlyList<X509Certificate2> Chain { get; }

    /// <summary>The CA certificate followed by its intermediates, as PEM.</summary>
    public string ChainPem { get; }

    /// <summary>Signs device certificates; one generator serves all threads.</summary>
    public X509SignatureGenerator SignatureGenerator => _key.SignatureGenerator;

    public HashAlgorithmName HashAlgorithm => _key.HashAlgorithm;

    /// <summary>Key algorithm and size, for example "RSA-2048", "EC-P256" or "Ed25519".</summary>
    public string KeyAlgorithmName => _key.AlgorithmName;

    public X509AuthorityKeyIdentifierExtension AuthorityKeyIdentifier { get; }

    public void Dispose()
    {
        _key.Dispose();
        Certificate.Dispose();
    }

    private static X509AuthorityKeyIdentifierExtension CreateAuthorityKeyIdentifier(X509Certificate2 certificate)
    {
        var subjectKeyIdentifier = certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>().FirstOrDefault()
            ?? new X509SubjectKeyIdentifierExtension(certificate.PublicKey, critical: false);

        return X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(subjectKeyIdentifier);
    }
}
