using System.Security.Cryptography.X509Certificates;
using BulkCerts.CertEngine.Tests.Support;
using BulkCerts.CertEngine.V1;
using BulkCerts.Tests.Support;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace BulkCerts.CertEngine.Tests;

public sealed class KeyAlgorithmTests(AuthoritiesFixture authorities) : IClassFixture<AuthoritiesFixture>
{
    public static TheoryData<KeyAlgorithm, string> OpensslAlgorithms => new()
    {
        { KeyAlgorithm.Unspecified, "1.2.840.113549.1.1.1" },
        { KeyAlgorithm.Rsa2048, "1.2.840.113549.1.1.1" },
        { KeyAlgorithm.Rsa3072, "1.2.840.113549.1.1.1" },
        { KeyAlgorithm.Rsa4096, "1.2.840.113549.1.1.1" },
        { KeyAlgorithm.EcP256, "1.2.840.10045.2.1" },
        { KeyAlgorithm.EcP384, "1.2.840.10045.2.1" },
        { KeyAlgorithm.Ed25519, "1.3.101.112" },
    };

    public static TheoryData<KeyAlgorithm, string> MLDsaAlgorithms => new()
    {
        { KeyAlgorithm.MlDsa44, "2.16.840.1.101.3.4.3.17" },
        { KeyAlgorithm.MlDsa65, "2.16.840.1.101.3.4.3.18" },
        { KeyAlgorithm.MlDsa87, "2.16.840.1.101.3.4.3.19" },
    };

    public static TheoryData<KeyAlgorithm, PrivateKeyFormat, string> PemLabels => new()
    {
        { KeyAlgorithm.Rsa2048, PrivateKeyFormat.Unspecified, "RSA PRIVATE KEY" },
        { KeyAlgorithm.Rsa2048, PrivateKeyFormat.Pkcs8, "PRIVATE KEY" },
        { KeyAlgorithm.EcP256, PrivateKeyFormat.Unspecified, "PRIVATE KEY" },
        { KeyAlgorithm.EcP384, PrivateKeyFormat.Pkcs8, "PRIVATE KEY" },
        { KeyAlgorithm.Ed25519, PrivateKeyFormat.Unspecified, "PRIVATE KEY" },
        { KeyAlgorithm.Ed25519, PrivateKeyFormat.Pkcs8, "PRIVATE KEY" },
        { KeyAlgorithm.MlDsa44, PrivateKeyFormat.Unspecified, "PRIVATE KEY" },
    };

    [Theory]
    [MemberData(nameof(OpensslAlgorithms))]
    public async Task DeviceCertificateVerifiesWithOpenssl(KeyAlgorithm algorithm, string publicKeyOid)
    {
        var issued = TestIssuance.Issue(TestIssuance.Request(keyAlgorithm: algorithm), authorities["RSA"]).Single();
        var (certificatePath, keyPath) = IssuedFiles.Write(authorities.Folder, issued);

        var verify = await Openssl.RunAsync(
            authorities.Folder.Path, "verify", "-CAfile", authorities.CertificatePath("RSA"), certificatePath);
        var certificatePublicKey = await OpensslAuthority.RunAsync(
            authorities.Folder, "x509", "-in", certificatePath, "-pubkey", "-noout");
        var keyPublicKey = await OpensslAuthority.RunAsync(authorities.Folder, "pkey", "-in", keyPath, "-pubout");
        using var certificate = X509Certificate2.CreateFromPem(issued.CertificatePem);

        Assert.Equal(0, verify.ExitCode);
        Assert.Equal($"{certificatePath}: OK", verify.Output.Trim());
        Assert.Equal(certificatePublicKey, keyPublicKey);
        Assert.Equal(publicKeyOid, certificate.GetKeyAlgorithm());
    }

    [Theory]
    [MemberData(nameof(MLDsaAlgorithms))]
    public void MLDsaCertificateVerifiesWithBouncyCastle(KeyAlgorithm algorithm, string publicKeyOid)
    {
        var authority = authorities["RSA"];
        var issued = TestIssuance.Issue(TestIssuance.Request(keyAlgorithm: algorithm), authority).Single();

        var parser = new X509CertificateParser();
        var certificate = parser.ReadCertificate(System.Text.Encoding.ASCII.GetBytes(issued.CertificatePem));
        var caPublicKey = parser.ReadCertificate(authority.Certificate.RawData).GetPublicKey();
        var certificatePublicKey = (MLDsaPublicKeyParameters)certificate.GetPublicKey();
        var privateKey = (MLDsaPrivateKeyParameters)PrivateKeyFactory.CreateKey(
            Convert.FromBase64String(PemBody(issued.PrivateKeyPem, "PRIVATE KEY")));

        var signatureVerified = true;
        try
        {
            certificate.Verify(caPublicKey);
        }
        catch (GeneralSecurityException)
        {
            signatureVerified = false;
        }

        Assert.True(signatureVerified, "The CA signature of the ML-DSA certificate did not verify.");
        Assert.Equal(publicKeyOid, certificate.SubjectPublicKeyInfo.Algorithm.Algorithm.Id);
        Assert.Equal(certificatePublicKey.GetEncoded(), privateKey.GetPublicKeyEncoded());
        Assert.True(
            SignatureVerifies(privateKey, certificatePublicKey),
            "A signature of the device key did not verify with the certificate's public key.");
    }

    [Theory]
    [MemberData(nameof(PemLabels))]
    public void PrivateKeyPemHasFormatLabel(KeyAlgorithm algorithm, PrivateKeyFormat format, string label)
    {
        var request = TestIssuance.Request(keyAlgorithm: algorithm);
        request.PrivateKeyFormat = format;

        var issued = TestIssuance.Issue(request, authorities["EC-P256"]).Single();

        Assert.StartsWith($"-----BEGIN {label}-----\n", issued.PrivateKeyPem);
        Assert.EndsWith($"-----END {label}-----\n", issued.PrivateKeyPem);
    }

    [Fact]
    public async Task Ed25519KeyReadableByOpenssl()
    {
        var request = TestIssuance.Request(keyAlgorithm: KeyAlgorithm.Ed25519);
        var issued = TestIssuance.Issue(request, authorities["RSA"]).Single();
        var (_, keyPath) = IssuedFiles.Write(authorities.Folder, issued);

        var check = await Openssl.RunAsync(authorities.Folder.Path, "pkey", "-in", keyPath, "-noout");
        var text = await Openssl.RunAsync(authorities.Folder.Path, "pkey", "-in", keyPath, "-noout", "-text");

        Assert.Equal(0, check.ExitCode);
        Assert.Contains("ED25519 Private-Key", text.Output);
    }

    [Theory]
    [InlineData(KeyAlgorithm.Rsa2048, X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment)]
    [InlineData(KeyAlgorithm.EcP384, X509KeyUsageFlags.DigitalSignature)]
    [InlineData(KeyAlgorithm.Ed25519, X509KeyUsageFlags.DigitalSignature)]
    [InlineData(KeyAlgorithm.MlDsa65, X509KeyUsageFlags.DigitalSignature)]
    public void KeyUsageFollowsKeyAlgorithm(KeyAlgorithm algorithm, X509KeyUsageFlags expected)
    {
        var request = TestIssuance.Request(keyAlgorithm: algorithm);
        var issued = TestIssuance.Issue(request, authorities["EC-P256"]).Single();
        using var certificate = X509Certificate2.CreateFromPem(issued.CertificatePem);

        var keyUsage = certificate.Extensions.OfType<X509KeyUsageExtension>().Single();

        Assert.Equal(expected, keyUsage.KeyUsages);
        Assert.True(keyUsage.Critical);
    }

    private static bool SignatureVerifies(MLDsaPrivateKeyParameters privateKey, MLDsaPublicKeyParameters publicKey)
    {
        var message = "device key check"u8.ToArray();
        var signer = new MLDsaSigner(privateKey.Parameters, deterministic: false);
        signer.Init(true, privateKey);
        signer.BlockUpdate(message, 0, message.Length);
        var signature = signer.GenerateSignature();

        var verifier = new MLDsaSigner(publicKey.Parameters, deterministic: false);
        verifier.Init(false, publicKey);
        verifier.BlockUpdate(message, 0, message.Length);
        return verifier.VerifySignature(signature);
    }

    private static string PemBody(string pem, string label) =>
        pem.Replace($"-----BEGIN {label}-----", "", StringComparison.Ordinal)
            .Replace($"-----END {label}-----", "", StringComparison.Ordinal)
            .ReplaceLineEndings("");
}
