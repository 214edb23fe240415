using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;

namespace BulkCerts.CertEngine.Issuance;

/// <summary>
/// Builds the PKCS#12 file of one device: its private key in a shrouded key bag and its certificate,
/// with the CA chain on request, in an encrypted safe. Both are encrypted with AES-256-CBC under a
/// PBKDF2 (HMAC-SHA256) key, and the file is sealed with an HMAC-SHA256 MAC, which OpenSSL 3 reads
/// without its legacy provider. The key goes in as PKCS#8 bytes, so any algorithm the engine
/// generates fits, Ed25519 and ML-DSA included, whether or not .NET has a key type for it.
/// </summary>
public static class Pkcs12Files
{
    /// <summary>PBKDF2 and MAC iterations: OpenSSL's default for PKCS#12.</summary>
    public const int Iterations = 2048;

    private const string FriendlyNameOid = "1.2.840.113549.1.9.20";

    private static readonly PbeParameters Encryption =
        new(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, Iterations);

    /// <summary>Returns the DER of a PKCS#12 file containing the key and the certificates.</summary>
    /// <param name="certificate">The device certificate, which gets the friendly name and the key id.</param>
    /// <param name="pkcs8PrivateKey">The device key as a PKCS#8 PrivateKeyInfo.</param>
    /// <param name="friendlyName">The name tools show for the key and certificate: the common name.</param>
    /// <param name="chain">CA certificates to add after the device certificate; empty for none.</param>
    /// <param name="password">The password of the file; never stored.</param>
    public static byte[] Build(
        X509Certificate2 certificate,
        ReadOnlyMemory<byte> pkcs8PrivateKey,
        string friendlyName,
        IEnumerable<X509Certificate2> chain,
        string password)
    {
        // The SHA-1 thumbprint, as OpenSSL writes it, pairs the key with its certificate.
        var localKeyId = new Pkcs9LocalKeyId(certificate.GetCertHash());
        var nameAttribute = FriendlyName(friendlyName);

        var keyInfo = Pkcs8PrivateKeyInfo.Decode(pkcs8PrivateKey, out _, skipCopy: true);
        var keyBag = new Pkcs12ShroudedKeyBag(keyInfo.Encrypt(password, Encryption), skipCopy: true);
        keyBag.Attributes.Add(localKeyId);
        keyBag.Attributes.Add(nameAttribute);
        var keys = new Pkcs12SafeContents();
        keys.AddSafeBag(keyBag);

        var certificates = new Pkcs12SafeContents();
        var certificateBag = certificates.AddCertificate(certificate);
        certificateBag.Attributes.Add(localKeyId);
        certificateBag.Attributes.Add(nameAttribute);
        foreach (var authority in chain)
        {
            certificates.AddCertificate(authority);
        }

        var builder = new Pkcs12Builder();
        builder.AddSafeContentsEncrypted(certificates, password, Encryption);

        // The key bag is encrypted on its own, so its safe needs no second layer.
        builder.AddSafeContentsUnencrypted(keys);
        builder.SealWithMac(password, HashAlgorithmName.SHA256, Iterations);
        return builder.Encode();
    }

    /// <summary>The PKCS#9 friendlyName attribute, a BMPString.</summary>
    private static CryptographicAttributeObject FriendlyName(string name)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteCharacterString(UniversalTagNumber.BMPString, name);
        var oid = new Oid(FriendlyNameOid);
        return new CryptographicAttributeObject(oid, [new AsnEncodedData(oid, writer.Encode())]);
    }
}
