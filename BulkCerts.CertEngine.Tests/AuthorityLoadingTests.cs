using BulkCerts.CertEngine.Authorities;
using BulkCerts.CertEngine.Tests.Support;
using BulkCerts.CertEngine.V1;
using BulkCerts.Tests.Support;

namespace BulkCerts.CertEngine.Tests;

public sealed class AuthorityLoadingTests : IDisposable
{
    private const string Alias = "factory";
    private const string SettingPrefix = "CertEngine:CertificateAuthorities:factory";

    private readonly TempFolder _folder = new();

    public static TheoryData<string, string, string> Formats => new()
    {
        { "PKCS#1", "RSA-2048", "-----BEGIN RSA PRIVATE KEY-----" },
        { "PKCS#8", "RSA-2048", "-----BEGIN PRIVATE KEY-----" },
        { "encrypted PKCS#8", "RSA-2048", "-----BEGIN ENCRYPTED PRIVATE KEY-----" },
        { "legacy encrypted PEM", "RSA-2048", "Proc-Type: 4,ENCRYPTED" },
        { "SEC 1", "EC-P256", "-----BEGIN EC PRIVATE KEY-----" },
        { "Ed25519 encrypted PKCS#8", "Ed25519", "-----BEGIN ENCRYPTED PRIVATE KEY-----" },
    };

    public static TheoryData<string, string, string> Failures => new()
    {
        { "wrong passphrase, encrypted PKCS#8", $"{SettingPrefix}:Passphrase", "could not be decrypted" },
        { "wrong passphrase, legacy encrypted PEM", $"{SettingPrefix}:Passphrase", "could not be decrypted" },
        { "wrong passphrase, PKCS#12", $"{SettingPrefix}:Passphrase", "could not be opened" },
        { "missing passphrase", $"{SettingPrefix}:Passphrase", "is encrypted" },
        { "missing certificate file", $"{SettingPrefix}:CertificatePath", "was not found" },
        { "missing key file", $"{SettingPrefix}:PrivateKeyPath", "was not found" },
        { "missing PKCS#12 file", $"{SettingPrefix}:Pkcs12Path", "was not found" },
        { "CA:FALSE certificate", $"{SettingPrefix}:CertificatePath", "CA:FALSE" },
        { "no basicConstraints", $"{SettingPrefix}:CertificatePath", "no basicConstraints extension" },
        { "unrelated chain certificate", $"{SettingPrefix}:CertificatePath", "but the next certificate is" },
        { "keyUsage without keyCertSign", $"{SettingPrefix}:CertificatePath", "without keyCertSign" },
        { "expired CA", $"{SettingPrefix}:CertificatePath", "expired" },
        { "CA not yet valid", $"{SettingPrefix}:CertificatePath", "is not valid before" },
        { "mismatched key", $"{SettingPrefix}:PrivateKeyPath", "does not belong" },
        { "missing PKCS#12 passphrase", $"{SettingPrefix}:Passphrase", "if the file is encrypted" },
        { "PKCS#12 and PEM files", $"{SettingPrefix}:Pkcs12Path", "either the PKCS#12 file or the two PEM files" },
        { "private key path only", SettingPrefix, "is incomplete" },
    };

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task PemKeyFormatLoadsAndSigns(string format, string keyAlgorithm, string keyFileMarker)
    {
        var options = await AuthorityFiles.CreateAsync(_folder, format);

        using var authority = OpensslAuthority.Load(Alias, options, _folder);
        var verified = await IssueAndVerifyAsync(authority, options.CertificatePath!);

        Assert.Contains(keyFileMarker, await File.ReadAllTextAsync(options.PrivateKeyPath!));
        Assert.Equal(keyAlgorithm, authority.KeyAlgorithmName);
        Assert.Equal("O=BulkCerts Tests, CN=Test CA", authority.Certificate.Subject);
        Assert.True(verified.ExitCode == 0, verified.Output + verified.Error);
    }

    [Theory]
    [InlineData("PKCS#12", "RSA-2048")]
    [InlineData("Ed25519 PKCS#12", "Ed25519")]
    public async Task Pkcs12LoadsWithChainAndSigns(string format, string keyAlgorithm)
    {
        var options = await AuthorityFiles.CreateAsync(_folder, format);
        var rootCertificatePath = options.Pkcs12Path!.Replace(".p12", "-root.crt", StringComparison.Ordinal);

        using var authority = OpensslAuthority.Load(Alias, options, _folder);
        var verified = await IssueAndVerifyAsync(authority, rootCertificatePath);

        Assert.Equal(keyAlgorithm, authority.KeyAlgorithmName);
        Assert.Equal("CN=Test Intermediate CA", authority.Certificate.Subject);
        Assert.Equal(2, CountCertificates(authority.ChainPem));
        Assert.True(verified.ExitCode == 0, verified.Output + verified.Error);
    }

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task InvalidAuthorityNamesSetting(string failure, string setting, string reason)
    {
        var options = await CreateFailingAsync(failure);

        var exception = Assert.Throws<AuthorityLoadException>(() => OpensslAuthority.Load(Alias, options, _folder));

        Assert.Contains(setting, exception.Message);
        Assert.Contains(reason, exception.Message);
        Assert.DoesNotContain(AuthorityFiles.Passphrase, exception.Message);
        Assert.DoesNotContain("wrong-passphrase", exception.Message);
        Assert.DoesNotContain("PRIVATE KEY-----", exception.Message);
    }

    public void Dispose() => _folder.Dispose();

    private async Task<CertificateAuthorityOptions> CreateFailingAsync(string failure)
    {
        var now = DateTimeOffset.UtcNow;
        switch (failure)
        {
            case "wrong passphrase, encrypted PKCS#8":
                var encrypted = await AuthorityFiles.CreateAsync(_folder, "encrypted PKCS#8");
                return WithPassphrase(encrypted, "wrong-passphrase");
            case "wrong passphrase, legacy encrypted PEM":
                var legacy = await AuthorityFiles.CreateAsync(_folder, "legacy encrypted PEM");
                return WithPassphrase(legacy, "wrong-passphrase");
            case "wrong passphrase, PKCS#12":
                return WithPassphrase(await AuthorityFiles.CreateAsync(_folder, "PKCS#12"), "wrong-passphrase");
            case "missing passphrase":
                return WithPassphrase(await AuthorityFiles.CreateAsync(_folder, "encrypted PKCS#8"), null);
            case "missing certificate file":
                var withoutCertificate = await AuthorityFiles.CreateAsync(_folder, "SEC 1");
                withoutCertificate.CertificatePath = _folder.File("absent.crt");
                return withoutCertificate;
            case "missing key file":
                var withoutKey = await AuthorityFiles.CreateAsync(_folder, "SEC 1");
                withoutKey.PrivateKeyPath = _folder.File("absent.key");
                return withoutKey;
            case "missing PKCS#12 file":
                return new CertificateAuthorityOptions { Pkcs12Path = _folder.File("absent.p12") };
            case "CA:FALSE certificate":
                return await CreateWithExtensionsAsync("critical,CA:FALSE", "critical,digitalSignature,keyCertSign");
            case "no basicConstraints":
                return CreateWithoutBasicConstraints();
            case "unrelated chain certificate":
                var authority = await AuthorityFiles.CreateAsync(_folder, "SEC 1");
                var stranger = CreateWithoutBasicConstraints();
                var chainPath = _folder.File($"{Guid.NewGuid():N}.crt");
                await File.WriteAllTextAsync(
                    chainPath,
                    await File.ReadAllTextAsync(authority.CertificatePath!) + await File.ReadAllTextAsync(stranger.CertificatePath!));
                authority.CertificatePath = chainPath;
                return authority;
            case "keyUsage without keyCertSign":
                return await CreateWithExtensionsAsync("critical,CA:TRUE", "critical,digitalSignature");
            case "expired CA":
                return AuthorityFiles.CreateWithValidity(_folder, now.AddDays(-60), now.AddDays(-1));
            case "CA not yet valid":
                return AuthorityFiles.CreateWithValidity(_folder, now.AddDays(1), now.AddDays(60));
            case "mismatched key":
                var first = await AuthorityFiles.CreateAsync(_folder, "SEC 1");
                var second = await AuthorityFiles.CreateAsync(_folder, "SEC 1");
                first.PrivateKeyPath = second.PrivateKeyPath;
                return first;
            case "missing PKCS#12 passphrase":
                return WithPassphrase(await AuthorityFiles.CreateAsync(_folder, "PKCS#12"), null);
            case "PKCS#12 and PEM files":
                var pkcs12 = await AuthorityFiles.CreateAsync(_folder, "PKCS#12");
                pkcs12.CertificatePath = _folder.File("ca.crt");
                return pkcs12;
            case "private key path only":
                return new CertificateAuthorityOptions { PrivateKeyPath = _folder.File("ca.key") };
            default:
                throw new ArgumentOutOfRangeException(nameof(failure), failure, "Unknown failure case.");
        }
    }

    private async Task<CertificateAuthorityOptions> CreateWithExtensionsAsync(string basicConstraints, string keyUsage)
    {
        var keyPath = _folder.File($"{Guid.NewGuid():N}.key");
        var certificatePath = _folder.File($"{Guid.NewGuid():N}.crt");
        await OpensslAuthority.CreateKeyAsync(_folder, "EC-P256", keyPath);
        await OpensslAuthority.CreateCertificateAsync(_folder, keyPath, certificatePath, basicConstraints, keyUsage);
        return new CertificateAuthorityOptions { CertificatePath = certificatePath, PrivateKeyPath = keyPath };
    }

    /// <summary>
    /// Writes a self-signed certificate with keyCertSign but no basicConstraints, which openssl req
    /// cannot make because its configuration adds CA:TRUE.
    /// </summary>
    private CertificateAuthorityOptions CreateWithoutBasicConstraints()
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest(
            "CN=No Constraints CA", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509KeyUsageExtension(
            System.Security.Cryptography.X509Certificates.X509KeyUsageFlags.KeyCertSign, critical: true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(30));

        var keyPath = _folder.File($"{Guid.NewGuid():N}.key");
        var certificatePath = _folder.File($"{Guid.NewGuid():N}.crt");
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        return new CertificateAuthorityOptions { CertificatePath = certificatePath, PrivateKeyPath = keyPath };
    }

    private static CertificateAuthorityOptions WithPassphrase(CertificateAuthorityOptions options, string? passphrase)
    {
        options.Passphrase = passphrase;
        return options;
    }

    private async Task<OpensslResult> IssueAndVerifyAsync(
        CertificateAuthority authority,
        string trustedCertificatePath)
    {
        var request = TestIssuance.Request(keyAlgorithm: KeyAlgorithm.EcP256);
        request.IncludeCa = true;
        var issued = TestIssuance.Issue(request, authority).Single();
        var (certificatePath, _) = IssuedFiles.Write(_folder, issued);

        return await Openssl.RunAsync(
            _folder.Path, "verify", "-CAfile", trustedCertificatePath, "-untrusted", certificatePath, certificatePath);
    }

    private static int CountCertificates(string pem) =>
        pem.Split("-----BEGIN CERTIFICATE-----").Length - 1;
}
