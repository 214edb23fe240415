using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.OpenSsl;

namespace BulkCerts.CertEngine.Authorities;

/// <summary>
/// Reads a PEM private key through BouncyCastle: PKCS#1, SEC 1, PKCS#8, encrypted PKCS#8, and the
/// legacy OpenSSL encryption ("Proc-Type: 4,ENCRYPTED") that <c>openssl genrsa -aes256</c> writes.
/// </summary>
internal static class PemKeyReader
{
    /// <summary>Returns whether the PEM text contains an encrypted key, which needs a passphrase.</summary>
    public static bool IsEncrypted(string pem) =>
        pem.Contains("-----BEGIN ENCRYPTED PRIVATE KEY-----", StringComparison.Ordinal)
        || pem.Contains("Proc-Type: 4,ENCRYPTED", StringComparison.Ordinal);

    /// <summary>Returns the first private key in <paramref name="pem"/>, or null when there is none.</summary>
    public static AsymmetricKeyParameter? Read(string pem, string? passphrase)
    {
        using var text = new StringReader(pem);
        using var reader = new PemReader(text, new PassphraseFinder(passphrase));

        // Skip objects such as the "EC PARAMETERS" block that openssl ecparam writes first.
        while (reader.ReadObject() is { } item)
        {
            switch (item)
            {
                case AsymmetricCipherKeyPair keyPair:
                    return keyPair.Private;
                case AsymmetricKeyParameter { IsPrivate: true } privateKey:
                    return privateKey;
            }
        }

        return null;
    }

    /// <summary>
    /// Returns whether <paramref name="exception"/> is how BouncyCastle or .NET reject an unreadable
    /// key, a wrong passphrase or a damaged file.
    /// </summary>
    public static bool IsReadFailure(Exception exception) => exception
        is IOException
        or CryptoException
        or System.Security.Cryptography.CryptographicException
        or InvalidOperationException
        or ArgumentException
        or InvalidCastException;

    private sealed class PassphraseFinder(string? passphrase) : IPasswordFinder
    {
        public char[]? GetPassword() => passphrase?.ToCharArray();
    }
}
