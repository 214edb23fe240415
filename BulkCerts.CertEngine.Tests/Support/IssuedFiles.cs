using BulkCerts.CertEngine.V1;

namespace BulkCerts.CertEngine.Tests.Support;

/// <summary>Writes an issued certificate and its key to files for openssl.</summary>
internal static class IssuedFiles
{
    public static (string CertificatePath, string KeyPath) Write(TempFolder folder, IssuedCertificate issued)
    {
        var name = Guid.NewGuid().ToString("N");
        var certificatePath = folder.File($"{name}.crt");
        var keyPath = folder.File($"{name}.key");
        File.WriteAllText(certificatePath, issued.CertificatePem);
        File.WriteAllText(keyPath, issued.PrivateKeyPem);
        return (certificatePath, keyPath);
    }
}
