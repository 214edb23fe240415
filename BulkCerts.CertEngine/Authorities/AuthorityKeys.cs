using System.Security.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Pkcs;

namespace BulkCerts.CertEngine.Authorities;

/// <summary>
/// Turns a private key read by BouncyCastle into a CA signing key. RSA and EC keys move to .NET,
/// which signs them faster; Ed25519 stays with BouncyCastle.
/// </summary>
internal static class AuthorityKeys
{
    /// <summary>Returns the signing key, or null when its algorithm cannot sign certificates here.</summary>
    public static AuthorityKey? FromBouncyCastle(AsymmetricKeyParameter privateKey) => privateKey switch
    {
        Ed25519PrivateKeyParameters ed25519 => new Ed25519AuthorityKey(ed25519),
        RsaPrivateCrtKeyParameters => new DotNetAuthorityKey(ImportPkcs8(RSA.Create(), privateKey)),
        ECPrivateKeyParameters => new DotNetAuthorityKey(ImportPkcs8(ECDsa.Create(), privateKey)),
        _ => null,
    };

    private static T ImportPkcs8<T>(T key, AsymmetricKeyParameter privateKey) where T : AsymmetricAlgorithm
    {
        var pkcs8 = PrivateKeyInfoFactory.CreatePrivateKeyInfo(privateKey).GetDerEncoded();
        try
        {
            key.ImportPkcs8PrivateKey(pkcs8, out _);
            return key;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }
}
