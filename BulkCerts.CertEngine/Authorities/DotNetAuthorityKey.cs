using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace BulkCerts.CertEngine.Authorities;

/// <summary>An RSA or EC CA key, which signs through .NET (OpenSSL underneath).</summary>
internal sealed class DotNetAuthorityKey : AuthorityKey
{
    private readonly AsymmetricAlgorithm _key;

    public DotNetAuthorityKey(AsymmetricAlgorithm key)
    {
        _key = key;

        // The underlying OpenSSL key supports concurrent signing.
        SignatureGenerator = key switch
        {
            RSA rsa => X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1),
            ECDsa ecdsa => X509SignatureGenerator.CreateForECDsa(ecdsa),
            _ => throw new ArgumentException($"A {key.GetType().Name} key cannot sign; use RSA or EC.", nameof(key)),
        };

        HashAlgorithm = key is ECDsa { KeySize: > 256 } ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256;
    }

    public override string AlgorithmName => _key switch
    {
        RSA rsa => $"RSA-{rsa.KeySize}",
        _ => $"EC-P{_key.KeySize}",
    };

    public override X509SignatureGenerator SignatureGenerator { get; }

    public override HashAlgorithmName HashAlgorithm { get; }

    public override bool Matches(PublicKey certificateKey) =>
        certificateKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(_key.ExportSubjectPublicKeyInfo());

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _key.Dispose();
        }
    }
}
