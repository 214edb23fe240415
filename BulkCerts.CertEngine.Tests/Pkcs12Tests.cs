using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using BulkCerts.CertEngine.Tests.Support;
using BulkCerts.CertEngine.V1;
using BulkCerts.Tests.Support;
using Grpc.Core;

namespace BulkCerts.CertEngine.Tests;

/// <summary>
/// The engine's PKCS#12 output: each file opens in OpenSSL 3 with its default provider, uses AES-256-CBC
/// with PBKDF2 and HMAC-SHA256 and a SHA-256 MAC, pairs the key with its certificate, and carries the CA
/// chain when asked.
/// </summary>
public sealed class Pkcs12Tests(AuthoritiesFixture authorities) : IClassFixture<AuthoritiesFixture>
{
    private const string Password = "p12-unit-Passw0rd!";

    public static TheoryData<KeyAlgorithm> OpensslAlgorithms => new()
    {
        KeyAlgorithm.EcP256,
        KeyAlgorithm.Ed25519,
        KeyAlgorithm.Rsa2048,
    };

    [Theory]
    [MemberData(nameof(OpensslAlgorithms))]
    public async Task Pkcs12OpensWithOpensslDefaults(KeyAlgorithm algorithm)
    {
        var issued = IssuePkcs12(algorithm, includeCa: true);
        Assert.Empty(issued.PrivateKeyPem);
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", issued.CertificatePem);
        var path = authorities.Folder.File($"{Guid.NewGuid():N}.p12");
        await File.WriteAllBytesAsync(path, issued.Pkcs12.ToByteArray());

        var info = await Openssl.RunAsync(
            authorities.Folder.Path, "pkcs12", "-info", "-in", path, "-passin", $"pass:{Password}", "-noout");
        Assert.True(info.ExitCode == 0, info.Error);
        Assert.Contains("MAC: sha256", info.Error);
        Assert.Contains("Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC", info.Error);
        Assert.Contains("PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC", info.Error);
        Assert.Contains("PRF hmacWithSHA256", info.Error);

        var opened = await Openssl.RunAsync(
            authorities.Folder.Path, "pkcs12", "-in", path, "-passin", $"pass:{Password}", "-nodes");
        Assert.True(opened.ExitCode == 0, opened.Error);
        Assert.Contains($"friendlyName: {issued.CommonName}", opened.Output);
        Assert.Contains("-----BEGIN PRIVATE KEY-----", opened.Output);

        // The device certificate and the CA certificate of the chain.
        Assert.Equal(2, CountOf(opened.Output, "-----BEGIN CERTIFICATE-----"));
        await AssertKeyMatchesAsync(path, issued.CertificatePem);
    }

    [Fact]
    public async Task WrongPasswordDoesNotOpen()
    {
        var issued = IssuePkcs12(KeyAlgorithm.EcP256, includeCa: false);
        var path = authorities.Folder.File($"{Guid.NewGuid():N}.p12");
        await File.WriteAllBytesAsync(path, issued.Pkcs12.ToByteArray());

        var opened = await Openssl.RunAsync(
            authorities.Folder.Path, "pkcs12", "-in", path, "-passin", "pass:not-the-password", "-nodes");

        Assert.NotEqual(0, opened.ExitCode);
        Assert.Contains("Mac verify error", opened.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(KeyAlgorithm.MlDsa44, "2.16.840.1.101.3.4.3.17")]
    [InlineData(KeyAlgorithm.EcP384, "1.2.840.10045.2.1")]
    public void Pkcs12HoldsKeyOfAlgorithm(KeyAlgorithm algorithm, string keyOid)
    {
        // OpenSSL 3.0 cannot read ML-DSA keys, so .NET decodes the file here.
        var issued = IssuePkcs12(algorithm, includeCa: false);
        var info = Pkcs12Info.Decode(issued.Pkcs12.Memory, out _);
        Assert.Equal(Pkcs12IntegrityMode.Password, info.IntegrityMode);
        Assert.True(info.VerifyMac(Password));
        Assert.False(info.VerifyMac("not-the-password"));

        var bags = new List<Pkcs12SafeBag>();
        foreach (var contents in info.AuthenticatedSafe)
        {
            if (contents.ConfidentialityMode == Pkcs12ConfidentialityMode.Password)
            {
                contents.Decrypt(Password);
            }

            bags.AddRange(contents.GetBags());
        }

        var keyBag = Assert.Single(bags.OfType<Pkcs12ShroudedKeyBag>());
        var key = Pkcs8PrivateKeyInfo.DecryptAndDecode(Password, keyBag.EncryptedPkcs8PrivateKey, out _);
        Assert.Equal(keyOid, key.AlgorithmId.Value);
        var certificateBag = Assert.Single(bags.OfType<Pkcs12CertBag>());
        Assert.Equal(issued.CertId, certificateBag.GetCertificate().GetCertHashString(HashAlgorithmName.SHA256),
            StringComparer.OrdinalIgnoreCase);
        Assert.Equal(LocalKeyId(keyBag), LocalKeyId(certificateBag));
    }

    [Fact]
    public void Pkcs12WithoutPasswordIsRejected()
    {
        var request = TestIssuance.Request(keyAlgorithm: KeyAlgorithm.EcP256);
        request.OutputFormat = OutputFormat.Pkcs12;

        var exception = Assert.Throws<RpcException>(() => TestIssuance.Validate(request, authorities["RSA"]));

        Assert.Equal(StatusCode.InvalidArgument, exception.StatusCode);
        Assert.Contains("pkcs12_password is empty", exception.Status.Detail);
    }

    private IssuedCertificate IssuePkcs12(KeyAlgorithm algorithm, bool includeCa)
    {
        var request = TestIssuance.Request(keyAlgorithm: algorithm);
        request.OutputFormat = OutputFormat.Pkcs12;
        request.Pkcs12Password = Password;
        request.IncludeCa = includeCa;
        return TestIssuance.Issue(request, authorities["RSA"]).Single();
    }

    /// <summary>Checks that the key in the file has the public key of the device certificate.</summary>
    private async Task AssertKeyMatchesAsync(string path, string certificatePem)
    {
        var keyPath = path + ".key";
        var certificatePath = path + ".crt";
        await File.WriteAllTextAsync(certificatePath, certificatePem);
        var extracted = await Openssl.RunAsync(authorities.Folder.Path,
            "pkcs12", "-in", path, "-passin", $"pass:{Password}", "-nocerts", "-nodes", "-out", keyPath);
        Assert.True(extracted.ExitCode == 0, extracted.Error);

        var fromKey = await Openssl.RunAsync(authorities.Folder.Path, "pkey", "-in", keyPath, "-pubout");
        var fromCertificate = await Openssl.RunAsync(
            authorities.Folder.Path, "x509", "-in", certificatePath, "-pubkey", "-noout");
        Assert.True(fromKey.ExitCode == 0, fromKey.Error);
        Assert.Equal(fromCertificate.Output, fromKey.Output);
    }

    private static string LocalKeyId(Pkcs12SafeBag bag) => Convert.ToHexString(
        bag.Attributes.Cast<CryptographicAttributeObject>()
            .Single(attribute => attribute.Oid.Value == "1.2.840.113549.1.9.21")
            .Values[0].RawData);

    private static int CountOf(string text, string value) =>
        (text.Length - text.Replace(value, string.Empty, StringComparison.Ordinal).Length) / value.Length;
}
