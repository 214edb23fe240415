using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BulkCerts.CertEngine.V1;

namespace BulkCerts.CertEngine.DeviceKeys;

/// <summary>An RSA or EC device key, generated and exported by .NET (OpenSSL underneath).</summary>
internal sealed class DotNetDeviceKey : DeviceKey
{
    private readonly AsymmetricAlgorithm _key;

    public DotNetDeviceKey(AsymmetricAlgorithm key)
    {
        _key = key;
        PublicKey = new PublicKey(key);
    }

    public override PublicKey PublicKey { get; }

    // keyEncipherment applies to RSA only: an EC key cannot encrypt a key.
    public override X509KeyUsageFlags KeyUsage => _key is RSA
        ? X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment
        : X509KeyUsageFlags.DigitalSignature;

    public override string ExportPrivateKeyPem(PrivateKeyFormat format) => _key switch
    {
        // PKCS#1 "RSA PRIVATE KEY" by default, the format clients of the original service read.
        RSA rsa when format == PrivateKeyFormat.Unspecified => rsa.ExportRSAPrivateKeyPem(),
        _ => _key.ExportPkcs8PrivateKeyPem(),
    };

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _key.Dispose();
        }
    }
}
