using BulkCerts.CertEngine.Authorities;
using BulkCerts.Tests.Support;

namespace BulkCerts.CertEngine.Tests.Support;

/// <summary>
/// Creates CA keys and certificates with the openssl command line, so that the engine is tested on
/// files it did not write itself.
/// </summary>
internal static class OpensslAuthority
{
    /// <summary>openssl genpkey arguments of each CA key type used in the tests.</summary>
    public static string[] KeyArguments(string keyType) => keyType switch
    {
        "RSA" => ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
        "EC-P256" => ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
        "Ed25519" => ["-algorithm", "ED25519"],
        _ => throw new ArgumentOutOfRangeException(nameof(keyType), keyType, "Unknown CA key type."),
    };

    /// <summary>Writes a PKCS#8 key, unencrypted, to <paramref name="keyPath"/>.</summary>
    public static Task CreateKeyAsync(TempFolder folder, string keyType, string keyPath) =>
        RunAsync(folder, ["genpkey", .. KeyArguments(keyType), "-out", keyPath]);

    /// <summary>Writes a self-signed certificate for the key, with the given basicConstraints and keyUsage.</summary>
    public static Task CreateCertificateAsync(
        TempFolder folder,
        string keyPath,
        string certificatePath,
        string basicConstraints = "critical,CA:TRUE",
        string keyUsage = "critical,keyCertSign,cRLSign") =>
        RunAsync(folder,
        [
            "req", "-x509", "-new", "-key", keyPath, "-subj", "/CN=Test CA/O=BulkCerts Tests", "-days", "30",
            "-addext", $"basicConstraints={basicConstraints}", "-addext", $"keyUsage={keyUsage}",
            "-addext", "subjectKeyIdentifier=hash", "-out", certificatePath,
        ]);

    /// <summary>Creates a CA key and certificate and loads them as the engine does.</summary>
    public static async Task<CertificateAuthority> CreateAsync(TempFolder folder, string keyType)
    {
        var keyPath = folder.File($"ca-{keyType}.key");
        var certificatePath = folder.File($"ca-{keyType}.crt");
        await CreateKeyAsync(folder, keyType, keyPath);
        await CreateCertificateAsync(folder, keyPath, certificatePath);

        var options = new CertificateAuthorityOptions { CertificatePath = certificatePath, PrivateKeyPath = keyPath };
        return Load(keyType, options, folder);
    }

    public static CertificateAuthority Load(string alias, CertificateAuthorityOptions options, TempFolder folder)
    {
        var source = AuthoritySource.FromOptions(alias, options, folder.Path);
        return CertificateAuthorityLoader.Load(source, DateTimeOffset.UtcNow);
    }

    /// <summary>Runs openssl and fails the test, with its error output, when it exits non-zero.</summary>
    public static async Task<string> RunAsync(TempFolder folder, params string[] arguments)
    {
        var result = await Openssl.RunAsync(folder.Path, arguments);
        Assert.True(
            result.ExitCode == 0,
            $"openssl {string.Join(' ', arguments)} exited with {result.ExitCode}: {result.Error}");
        return result.Output;
    }
}
