using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace BulkCerts.Cli.Verification;

/// <summary>
/// Checks that a private key belongs to a certificate by comparing the public key it implies with
/// the certificate's: the modulus and exponent for RSA, and for the other algorithms a public key
/// derived from the private one.
/// </summary>
public static class PrivateKeyMatch
{
    /// <summary>Returns null when the key matches, and otherwise what is wrong with it.</summary>
    public static string? Check(string privateKeyPem, X509Certificate2 certificate)
    {
        bool matches;
        try
        {
            var expected = X509CertificateStructure.GetInstance(certificate.RawData).SubjectPublicKeyInfo;
            matches = Matches(privateKeyPem, expected);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // BouncyCastle and .NET throw many exception types for malformed keys; each means the same here.
            return $"its private key cannot be read: {exception.Message}";
        }

        return matches ? null : "its private key does not match the certificate's public key";
    }

    private static bool Matches(string privateKeyPem, SubjectPublicKeyInfo expected)
    {
        if (!PemEncoding.TryFind(privateKeyPem, out var fields))
        {
            throw new FormatException("the file has no PEM block");
        }

        var label = privateKeyPem[fields.Label];
        var der = Convert.FromBase64String(privateKeyPem[fields.Base64Data]);
        var info = label switch
        {
            "PRIVATE KEY" => PrivateKeyInfo.GetInstance(der),
            "RSA PRIVATE KEY" => null,
            _ => throw new FormatException($"'{label}' is not a private key label this tool reads"),
        };

        var algorithm = info?.PrivateKeyAlgorithm.Algorithm ?? PkcsObjectIdentifiers.RsaEncryption;
        if (!algorithm.Equals(expected.Algorithm.Algorithm))
        {
            return false;
        }

        if (algorithm.Equals(PkcsObjectIdentifiers.RsaEncryption))
        {
            // Read as structures: BouncyCastle's RSA key objects test the modulus for primality,
            // which costs tens of milliseconds a key.
            var privateKey = RsaPrivateKeyStructure.GetInstance(info is null ? der : info.ParsePrivateKey());
            var publicKey = RsaPublicKeyStructure.GetInstance(expected.ParsePublicKey());
            return privateKey.Modulus.Equals(publicKey.Modulus)
                && privateKey.PublicExponent.Equals(publicKey.PublicExponent);
        }

        var publicKeyBits = algorithm.Equals(X9ObjectIdentifiers.IdECPublicKey)
            ? DeriveEcPoint(der)
            : DerivePublicKeyInfo(info!).PublicKey.GetBytes();
        return publicKeyBits.AsSpan().SequenceEqual(expected.PublicKey.GetBytes());
    }

    /// <summary>
    /// Returns the uncompressed point d·G of a PKCS#8 EC key. The point stored in the key, if any,
    /// is not used, since it need not belong to d. .NET derives the point when given d alone.
    /// </summary>
    private static byte[] DeriveEcPoint(byte[] pkcs8)
    {
        using var stored = ECDsa.Create();
        stored.ImportPkcs8PrivateKey(pkcs8, out _);
        var parameters = stored.ExportParameters(includePrivateParameters: true);
        using var derived = ECDsa.Create(new ECParameters { Curve = parameters.Curve, D = parameters.D });
        var point = derived.ExportParameters(includePrivateParameters: false).Q;
        return [0x04, .. point.X!, .. point.Y!];
    }

    /// <summary>Derives the public key of an Ed25519 or ML-DSA key, which .NET cannot read on every platform.</summary>
    private static SubjectPublicKeyInfo DerivePublicKeyInfo(PrivateKeyInfo info)
    {
        AsymmetricKeyParameter publicKey = PrivateKeyFactory.CreateKey(info) switch
        {
            Ed25519PrivateKeyParameters key => key.GeneratePublicKey(),
            MLDsaPrivateKeyParameters key => key.GetPublicKey(),
            var key => throw new NotSupportedException($"keys of type {key.GetType().Name} are not supported"),
        };
        return SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(publicKey);
    }
}
