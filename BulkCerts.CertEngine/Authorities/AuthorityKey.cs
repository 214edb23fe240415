using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace BulkCerts.CertEngine.Authorities;

/// <summary>The signing key of a certificate authority, held in memory only.</summary>
public abstract class AuthorityKey : IDisposable
{
    /// <summary>Key algorithm and size, for example "RSA-2048", "EC-P256" or "Ed25519".</summary>
    public abstract string AlgorithmName { get; }

    /// <summary>Signs device certificates; one generator serves all threads.</summary>
    public abstract X509SignatureGenerator SignatureGenerator { get; }

    /// <summary>Digest of the signature; generators whose algorithm fixes the digest ignore it.</summary>
    public abstract HashAlgorithmName HashAlgorithm { get; }

    /// <summary>Returns whether this private key belongs to <paramref name="certificateKey"/>.</summary>
    public abstract bool Matches(PublicKey certificateKey);

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}
