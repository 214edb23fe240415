using System.Text;
using BulkCerts.CertEngine.Issuance;
using BulkCerts.CertEngine.Tests.Support;
using BulkCerts.CertEngine.V1;
using BulkCerts.Tests.Support;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

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

    [Fact]
    public void Ed25519CaSignsConcurrently()
    {
        var authority = authorities["Ed25519"];
        var issuance = TestIssuance.Validate(TestIssuance.Request(count: 200), authority);
        var parser = new X509CertificateParser();
        var caPublicKey = parser.ReadCertificate(authority.Certificate.RawData).GetPublicKey();
        var certificates = new IssuedCertificate[issuance.Count];

        Parallel.For(
            0,
            issuance.Count,
            offset => certificates[offset] = DeviceCertificateFactory.Issue(issuance, offset));
        var invalid = certificates.Count(issued => !SignatureVerifies(parser, issued, caPublicKey));
        var otherKey = new Ed25519PrivateKeyParameters(new SecureRandom()).GeneratePublicKey();

        Assert.Equal(0, invalid);
        Assert.False(SignatureVerifies(parser, certificates[0], otherKey), "The check must reject another key.");
    }

    [Theory]
    [InlineData("RSA", "RSA-2048")]
    [InlineData("EC-P256", "EC-P256")]
    [InlineData("Ed25519", "Ed25519")]
    public void KeyAlgorithmNameDescribesCaKey(string caKeyType, string expected)
    {
        Assert.Equal(expected, authorities[caKeyType].KeyAlgorithmName);
    }

    private static bool SignatureVerifies(
        X509CertificateParser parser,
        IssuedCertificate issued,
        AsymmetricKeyParameter caPublicKey)
    {
        try
        {
            parser.ReadCertificate(Encoding.ASCII.GetBytes(issued.CertificatePem)).Verify(caPublicKey);
            return true;
        }
        // BouncyCastle 2.7.0 reports a wrong signature with a GeneralSecurityException.
        catch (GeneralSecurityException)
        {
            return false;
        }
    }
}
