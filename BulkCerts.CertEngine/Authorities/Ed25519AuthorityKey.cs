using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Crypto.Parameters;

namespace BulkCerts.CertEngine.Authorities;

/// <summary>An Ed25519 CA key, which signs through BouncyCastle because .NET has no Ed25519.</summary>
internal sealed class Ed25519AuthorityKey(Ed25519PrivateKeyParameters privateKey) : AuthorityKey
{
    private readonly byte[] _publicKey = privateKey.GeneratePublicKey().GetEncoded();

    public override string AlgorithmName => "Ed25519";

    public override X509SignatureGenerator SignatureGenerator { get; } = new Ed25519SignatureGenerator(privateKey);

    // Ed25519 hashes internally with SHA-512; CertificateRequest requires a name all the same.
    public override HashAlgorithmName HashAlgorithm => HashAlgorithmName.SHA512;

    public override bool Matches(PublicKey certificateKey) =>
        certificateKey.Oid.Value == Oids.Ed25519
        && certificateKey.EncodedKeyValue.RawData.AsSpan().SequenceEqual(_publicKey);
}
