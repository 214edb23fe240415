using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace BulkCerts.CertEngine.Tests.Support;

/// <summary>
/// Writes CA key and certificate files in each format the engine reads, with the openssl command
/// line except where openssl 3.0 has no option for it (validity in the past or future).
/// </summary>
internal static class AuthorityFiles
{
    public const string Passphrase = "correct horse battery";

    /// <summary>Creates a CA in <paramref name="format"/> and returns the options that load it.</summary>
    public static async Task<CertificateAuthorityOptions> CreateAsync(TempFolder folder, string format)
    {
        var name = Guid.NewGuid().ToString("N");
        var keyPath = folder.File($"{name}.key");
        var certificatePath = folder.File($"{name}.crt");
        var pass = $"pass:{Passphrase}";

        switch (format)
        {
            case "PKCS#1":
                await OpensslAuthority.RunAsync(folder, "genrsa", "-traditional", "-out", keyPath, "2048");
                break;
            case "PKCS#8":
                await OpensslAuthority.CreateKeyAsync(folder, "RSA", keyPath);
                break;
            case "encrypted PKCS#8":
                await OpensslAuthority.RunAsync(
                    folder, "genpkey", "-algorithm", "RSA", "-aes-256-cbc", "-pass", pass, "-out", keyPath);
                break;
            case "legacy encrypted PEM":
                // OpenSSL 3 writes PKCS#8 unless asked for the traditional format that 1.x genrsa wrote.
                await OpensslAuthority.RunAsync(
                    folder, "genrsa", "-aes256", "-traditional", "-passout", pass, "-out", keyPath, "2048");
                break;
            case "SEC 1":
                await OpensslAuthority.RunAsync(folder, "ecparam", "-name", "prime256v1", "-genkey", "-out", keyPath);
                break;
            case "Ed25519 encrypted PKCS#8":
                await OpensslAuthority.RunAsync(
                    folder, "genpkey", "-algorithm", "ED25519", "-aes-256-cbc", "-pass", pass, "-out", keyPath);
                break;
            case "PKCS#12":
                return await CreatePkcs12Async(folder, name, "RSA");
            case "Ed25519 PKCS#12":
                return await CreatePkcs12Async(folder, name, "Ed25519");
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown CA file format.");
        }

        await OpensslAuthority.RunAsync(
            folder,
            "req", "-x509", "-new", "-key", keyPath, "-passin", pass, "-subj", "/CN=Test CA/O=BulkCerts Tests",
            "-days", "30", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", certificatePath);

        return new CertificateAuthorityOptions
        {
            CertificatePath = certificatePath,
            PrivateKeyPath = keyPath,
            Passphrase = format.Contains("encrypted", StringComparison.Ordinal) ? Passphrase : null,
        };
    }

    /// <summary>
    /// Creates a root CA and an intermediate CA below it, and exports the intermediate's
    /// certificate and key with the root certificate as its chain.
    /// </summary>
    public static async Task<CertificateAuthorityOptions> CreatePkcs12Async(
        TempFolder folder,
        string name,
        string keyType)
    {
        var rootKey = folder.File($"{name}-root.key");
        var rootCertificate = folder.File($"{name}-root.crt");
        var intermediateKey = folder.File($"{name}-intermediate.key");
        var intermediateRequest = folder.File($"{name}-intermediate.csr");
        var intermediateCertificate = folder.File($"{name}-intermediate.crt");
        var extensions = folder.File($"{name}-intermediate.ext");
        var pkcs12 = folder.File($"{name}.p12");

        await OpensslAuthority.CreateKeyAsync(folder, keyType, rootKey);
        await OpensslAuthority.CreateCertificateAsync(folder, rootKey, rootCertificate);
        await OpensslAuthority.CreateKeyAsync(folder, keyType, intermediateKey);
        await OpensslAuthority.RunAsync(
            folder,
            "req", "-new", "-key", intermediateKey, "-subj", "/CN=Test Intermediate CA", "-out", intermediateRequest);
        await File.WriteAllTextAsync(extensions,
            "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n" +
            "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n");
        await OpensslAuthority.RunAsync(
            folder, "x509", "-req", "-in", intermediateRequest, "-CA", rootCertificate, "-CAkey", rootKey,
            "-set_serial", "2", "-days", "30", "-extfile", extensions, "-out", intermediateCertificate);
        await OpensslAuthority.RunAsync(
            folder, "pkcs12", "-export", "-inkey", intermediateKey, "-in", intermediateCertificate,
            "-certfile", rootCertificate, "-passout", $"pass:{Passphrase}", "-out", pkcs12);

        return new CertificateAuthorityOptions { Pkcs12Path = pkcs12, Passphrase = Passphrase };
    }

    /// <summary>Writes a CA valid from <paramref name="notBefore"/> to <paramref name="notAfter"/>.</summary>
    public static CertificateAuthorityOptions CreateWithValidity(
        TempFolder folder,
        DateTimeOffset notBefore,
        DateTimeOffset notAfter)
    {
        var name = Guid.NewGuid().ToString("N");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Test CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, critical: true));
        using var certificate = request.CreateSelfSigned(notBefore, notAfter);

        var options = new CertificateAuthorityOptions
        {
            CertificatePath = folder.File($"{name}.crt"),
            PrivateKeyPath = folder.File($"{name}.key"),
        };
        File.WriteAllText(options.CertificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(options.PrivateKeyPath, key.ExportPkcs8PrivateKeyPem());
        return options;
    }
}
