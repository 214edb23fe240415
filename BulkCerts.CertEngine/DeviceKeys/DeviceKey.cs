using System.Security.Cryptography.X509Certificates;
using BulkCerts.CertEngine.V1;

namespace BulkCerts.CertEngine.DeviceKeys;

/// <summary>
/// A new device key pair: the public key that goes into the certificate and the private key PEM
/// that goes to the device.
/// </summary>
public abstract class DeviceKey : IDisposable
{
    public abstract PublicKey PublicKey { get; }

    /// <summary>Key usage of the device certificate, which depends on what the key can do.</summary>
    public abstract X509KeyUsageFlags KeyUsage { get; }

    /// <summary>Exports the private key as PEM, without a trailing newline.</summary>
    public abstract string ExportPrivateKeyPem(PrivateKeyFormat format);

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}
