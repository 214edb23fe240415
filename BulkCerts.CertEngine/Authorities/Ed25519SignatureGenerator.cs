using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.X509;

namespace BulkCerts.CertEngine.Authorities;

/// <summary>
/// Signs certificates that .NET's <see cref="CertificateRequest"/> builds with an Ed25519 key
/// (RFC 8410), through BouncyCastle. Safe for concurrent use: each signature gets its own signer.
/// </summary>
internal sealed class Ed25519SignatureGenerator(Ed25519PrivateKeyParameters privateKey) : X509SignatureGenerator
{
    // AlgorithmIdentifier SEQUENCE { id-Ed25519 1.3.101.112 }; RFC 8410 requires absent parameters.
    private static readonly byte[] AlgorithmIdentifier = [0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70];

    public override byte[] GetSignatureAlgorithmIdentifier(HashAlgorithmName hashAlgorithm) =>
        (byte[])AlgorithmIdentifier.Clone();

    public override byte[] SignData(byte[] data, HashAlgorithmName hashAlgorithm)
    {
        var signer = new Ed25519Signer();
        signer.Init(true, privateKey);
        signer.BlockUpdate(data, 0, data.Length);
        return signer.GenerateSignature();
    }

    protected override PublicKey BuildPublicKey()
    {
        SubjectPublicKeyInfo publicKeyInfo =
            SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(privateKey.GeneratePublicKey());
        return PublicKey.CreateFromSubjectPublicKeyInfo(publicKeyInfo.GetDerEncoded(), out _);
    }
}
