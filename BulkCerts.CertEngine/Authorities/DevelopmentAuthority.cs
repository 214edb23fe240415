using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace BulkCerts.CertEngine.Authorities;

/// <summary>
/// Creates the self-signed <c>default</c> CA on first start and loads it on later starts.
/// </summary>
/// <remarks>
/// Several engine replicas may start at once on one data folder. Each writes a candidate into a
/// folder of its own and renames it into place. The rename fails for all but the first, and the
/// others load the first one's CA, so every replica signs with the same CA.
/// </remarks>
internal static class DevelopmentAuthority
{
    private const string FolderName = "ca";
    private const string CertificateFileName = "ca.crt";
    private const string PrivateKeyFileName = "ca.key";
    private const int ValidityYears = 10;

    public static CertificateAuthority LoadOrCreate(string dataPath, ILogger logger)
    {
        var folder = Path.Combine(dataPath, FolderName);
        if (!File.Exists(Path.Combine(folder, CertificateFileName)))
        {
            TryCreate(dataPath, folder, logger);
        }

        var setting = $"{CertEngineOptions.SectionName}:DataPath";
        var source = new AuthoritySource(
            CertificateAuthorityStore.DefaultAlias,
            new AuthorityFile(Path.Combine(folder, CertificateFileName), setting),
            new AuthorityFile(Path.Combine(folder, PrivateKeyFileName), setting),
            Pkcs12: null,
            Passphrase: null,
            PassphraseSetting: setting);
        return CertificateAuthorityLoader.Load(source, DateTimeOffset.UtcNow);
    }

    private static void TryCreate(string dataPath, string folder, ILogger logger)
    {
        Directory.CreateDirectory(dataPath);
        var candidate = Path.Combine(dataPath, $"{FolderName}.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(candidate);

        try
        {
            WriteNewAuthority(candidate);
            Directory.Move(candidate, folder);
            logger.DevelopmentAuthorityCreated(Path.Combine(folder, CertificateFileName));
        }
        catch (IOException) when (Directory.Exists(folder))
        {
            // Another replica created it first.
        }
        finally
        {
            if (Directory.Exists(candidate))
            {
                Directory.Delete(candidate, recursive: true);
            }
        }
    }

    private static void WriteNewAuthority(string folder)
    {
        using var key = RSA.Create(2048);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName("BulkCerts Development CA");
        subject.AddOrganizationName("BulkCerts");

        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature,
            critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));

        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(ValidityYears));

        var keyFileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            keyFileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(Path.Combine(folder, PrivateKeyFileName), keyFileOptions))
        {
            writer.Write(key.ExportPkcs8PrivateKeyPem());
        }

        File.WriteAllText(Path.Combine(folder, CertificateFileName), certificate.ExportCertificatePem() + "\n");
    }
}
