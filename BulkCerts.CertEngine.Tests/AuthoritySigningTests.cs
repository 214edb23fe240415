using BulkCerts.CertEngine.Tests.Support;
using BulkCerts.CertEngine.V1;
using BulkCerts.Tests.Support;

namespace BulkCerts.CertEngine.Tests;

public sealed class AuthoritySigningTests(AuthoritiesFixture authorities) : IClassFixture<AuthoritiesFixture>
{
    public static TheoryData<string, KeyAlgorithm, string> Signers => new()
    {
        { "RSA", KeyAlgorithm.EcP256, "sha256WithRSAEncryption" },
        { "RSA", KeyAlgorithm.Ed25519, "sha256WithRSAEncryption" },
        { "EC-P256", KeyAlgorithm.EcP256, "ecdsa-with-SHA256" },
        { "EC-P256", KeyAlgorithm.Rsa2048, "ecdsa-with-SHA256" },
        { "Ed25519", KeyAlgorithm.EcP256, "ED25519" },
        { "Ed25519", KeyAlgorithm.Ed25519, "ED25519" },
    };

    [Theory]
    [MemberData(nameof(Signers))]
    public async Task CertificateAuthoritySignatureVerifiesWithOpenssl(
        string caKeyType,
        KeyAlgorithm deviceAlgorithm,
        string signatureAlgorithm)
    {
        var request = TestIssuance.Request(keyAlgorithm: deviceAlgorithm);
        request.IncludeCa = true;
        var issued = TestIssuance.Issue(request, authorities[caKeyType]).Single();
        var (certificatePath, _) = IssuedFiles.Write(authorities.Folder, issued);

        var verify = await Openssl.RunAsync(
            authorities.Folder.Path, "verify", "-CAfile", authorities.CertificatePath(caKeyType), certificatePath);
        var text = await OpensslAuthority.RunAsync(
            authorities.Folder, "x509", "-in", certificatePath, "-noout", "-text");

        Assert.Equal(0, verify.ExitCode);
        Assert.Equal($"{certificatePath}: OK", verify.Output.Trim());
        Assert.Contains($"Signature Algorithm: {signatureAlgorithm}", text);
        Assert.EndsWith(authorities[caKeyType].ChainPem, issued.CertificatePem);
    }

    [Theory]
    [InlineData("RSA", "RSA-2048")]
    [InlineData("EC-P256", "EC-P256")]
    [InlineData("Ed25519", "Ed25519")]
    public void KeyAlgorithmNameDescribesCaKey(string caKeyType, string expected)
    {
        Assert.Equal(expected, authorities[caKeyType].KeyAlgorithmName);
    }
}
