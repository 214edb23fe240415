using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math.EC.Multiplier;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace BulkCerts.Cli.Verification;

/// <summary>
/// Checks that a private key belongs to a certificate by deriving the public key from the private
/// key and comparing it with the certificate's. BouncyCastle reads every key type the API issues;
/// .NET has no Ed25519, and its ML-DSA needs OpenSSL 3.5.
/// </summary>
public static class PrivateKeyMatch
{
    /// <summary>Returns null when the key matches, and otherwise what is wrong with it.</summary>
    public static string? Check(string privateKeyPem, X509Certificate2 certificate)
    {
        AsymmetricKeyParameter publicKey;
        try
        {
            publicKey = DerivePublicKey(privateKeyPem);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // BouncyCastle throws many exception types for malformed DER; each means the same here.
            return $"its private key cannot be read: {exception.Message}";
        }

        var derived = SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(publicKey);
        var expected = X509CertificateStructure.GetInstance(certificate.RawData).SubjectPublicKeyInfo;
        var sameKey = derived.Algorithm.Algorithm.Equals(expected.Algorithm.Algorithm)
            && derived.PublicKey.GetBytes().AsSpan().SequenceEqual(expected.PublicKey.GetBytes());
        return sameKey ? null : "its private key does not match the certificate's public key";
    }

    private static AsymmetricKeyParameter DerivePublicKey(string privateKeyPem)
    {
        if (!System.Security.Cryptography.PemEncoding.TryFind(privateKeyPem, out var fields))
        {
            throw new FormatException("the file has no PEM block");
        }

        var label = privateKeyPem[fields.Label];
        var der = Convert.FromBase64String(privateKeyPem[fields.Base64Data]);
        switch (label)
        {
            case "RSA PRIVATE KEY":
                var rsa = RsaPrivateKeyStructure.GetInstance(der);
                return new RsaKeyParameters(false, rsa.Modulus, rsa.PublicExponent);
            case "PRIVATE KEY":
                return PrivateKeyFactory.CreateKey(der) switch
                {
                    RsaPrivateCrtKeyParameters key => new RsaKeyParameters(false, key.Modulus, key.PublicExponent),
                    ECPrivateKeyParameters key => new ECPublicKeyParameters(
                        key.AlgorithmName,
                        new FixedPointCombMultiplier().Multiply(key.Parameters.G, key.D).Normalize(),
                        key.Parameters),
                    Ed25519PrivateKeyParameters key => key.GeneratePublicKey(),
                    MLDsaPrivateKeyParameters key => key.GetPublicKey(),
                    var key => throw new NotSupportedException($"keys of type {key.GetType().Name} are not supported"),
                };
            default:
                throw new FormatException($"'{label}' is not a private key label this tool reads");
        }
    }
}
