using System.IO.Compression;
using System.Security.Cryptography.X509Certificates;
using BulkCerts.Cli;
using BulkCerts.Cli.Verification;
using BulkCerts.Tests.Support;

namespace BulkCerts.Tests.Unit.Cli;

public sealed class CertificateVerifierTests : IDisposable
{
    private const string AuthoritySubject = "CN=Test Device CA, O=BulkCerts Tests";

    private readonly X509Certificate2 _authority = TestCertificates.CreateAuthority(AuthoritySubject);

    public void Dispose() => _authority.Dispose();

    [Fact]
    public void EveryKeyAlgorithmVerifies()
    {
        string[] keyTypes = ["RSA-PKCS1", "RSA-PKCS8", "EC", "Ed25519", "ML-DSA-44"];
        var devices = keyTypes
            .Select(type => TestCertificates.IssueDevice(_authority, $"device-{type}", type))
            .ToList();

        var report = VerifyZip(devices, Chain(_authority));

        Assert.True(report.Succeeded, Describe(report));
        Assert.Equal(keyTypes.Length, report.Verified);
    }

    // OpenSSL 3.0 cannot build a chain for an ML-DSA certificate, so that case takes the BouncyCastle path.
    [Theory]
    [InlineData("EC", "it does not chain to CA 'test'")]
    [InlineData("ML-DSA-44", "its signature does not verify with the key of CA 'test'")]
    public void CertificateOfLookalikeCaFails(string keyType, string expectedProblem)
    {
        // Same subject as the real CA, so only the signature can tell them apart.
        using var lookalike = TestCertificates.CreateAuthority(AuthoritySubject);
        var good = TestCertificates.IssueDevice(_authority, "good", keyType);
        var forged = TestCertificates.IssueDevice(lookalike, "forged", keyType);

        var report = VerifyZip([good, forged], Chain(_authority));

        Assert.Equal(1, report.Verified);
        var failure = Assert.Single(report.Failures);
        Assert.Equal(forged.CertId, failure.CertId);
        Assert.Equal("forged", failure.CommonName);
        Assert.Contains(failure.Problems, problem => problem.StartsWith(expectedProblem));
    }

    [Fact]
    public void SwappedCertificateFailsFingerprintAndChain()
    {
        using var other = TestCertificates.CreateAuthority("CN=Other CA");
        var device = TestCertificates.IssueDevice(_authority, "device");
        var foreign = TestCertificates.IssueDevice(other, "device");

        var report = VerifyZip([device with { CertificatePem = foreign.CertificatePem }], Chain(_authority));

        var failure = Assert.Single(report.Failures);
        Assert.Contains(failure.Problems, problem => problem.Contains("differs from its certId"));
        Assert.Contains(failure.Problems, problem => problem.StartsWith("it does not chain to CA 'test'"));
        Assert.Contains(failure.Problems, problem => problem.Contains("private key does not match"));
    }

    [Fact]
    public void KeyOfAnotherDeviceFails()
    {
        var first = TestCertificates.IssueDevice(_authority, "first");
        var second = TestCertificates.IssueDevice(_authority, "second");

        var report = VerifyZip([first with { KeyPem = second.KeyPem }, second], Chain(_authority));

        var failure = Assert.Single(report.Failures);
        Assert.Equal(first.CertId, failure.CertId);
        Assert.Equal(["its private key does not match the certificate's public key"], failure.Problems);
    }

    [Fact]
    public void UnreadableKeyFails()
    {
        var device = TestCertificates.IssueDevice(_authority, "device");

        const string Truncated = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
        var report = VerifyZip([device with { KeyPem = Truncated }], Chain(_authority));

        var problem = Assert.Single(Assert.Single(report.Failures).Problems);
        Assert.StartsWith("its private key cannot be read", problem);
    }

    [Fact]
    public void ExpiredCertificateFails()
    {
        var expired = TestCertificates.IssueDevice(_authority, "old", notAfter: DateTimeOffset.UtcNow.AddDays(-1));

        var report = VerifyZip([expired], Chain(_authority));

        var problem = Assert.Single(Assert.Single(report.Failures).Problems);
        Assert.StartsWith("it expired at", problem);
    }

    [Fact]
    public void IntermediateChainVerifiesOwnCertificatesOnly()
    {
        using var root = TestCertificates.CreateAuthority("CN=Test Root");
        using var issuing = TestCertificates.CreateAuthority("CN=Issuing CA", root);
        using var sibling = TestCertificates.CreateAuthority("CN=Sibling CA", root);
        var own = TestCertificates.IssueDevice(issuing, "own");
        var siblings = TestCertificates.IssueDevice(sibling, "sibling's");

        // The sibling's certificate brings its CA along, as a PEM with includeCA does.
        var withChain = siblings with { CertificatePem = siblings.CertificatePem + sibling.ExportCertificatePem() };
        var report = VerifyZip([own, withChain], Chain(issuing, root));

        Assert.Equal(1, report.Verified);
        var failure = Assert.Single(report.Failures);
        Assert.Equal(siblings.CertId, failure.CertId);
        Assert.Contains(failure.Problems, problem => problem.StartsWith("its file carries a certificate that is not"));
    }

    [Fact]
    public void AppendedCaChainIsAccepted()
    {
        var device = TestCertificates.IssueDevice(_authority, "device");

        var withChain = device with { CertificatePem = device.CertificatePem + _authority.ExportCertificatePem() };
        var report = VerifyZip([withChain], Chain(_authority));

        Assert.True(report.Succeeded, Describe(report));
    }

    [Fact]
    public void MissingAndUnlistedEntriesFail()
    {
        var listed = TestCertificates.IssueDevice(_authority, "listed");
        var unlisted = TestCertificates.IssueDevice(_authority, "unlisted");
        var path = TestCertificates.WriteZip([listed]);
        using (var archive = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            archive.GetEntry($"{listed.CertId}_key.pem")!.Delete();
            TestCertificates.WriteEntry(archive, $"{unlisted.CertId}_cert.pem", unlisted.CertificatePem);
        }

        var report = Verify(path, Chain(_authority));

        Assert.Equal(0, report.Verified);
        Assert.Equal(2, report.Failures.Count);
        Assert.Equal(["its private key file is missing"], report.Failures[0].Problems);
        Assert.Equal(unlisted.CertId, report.Failures[1].CertId);
        Assert.Equal(["the manifest does not list it"], report.Failures[1].Problems);
    }

    [Fact]
    public void ZipWithoutManifestIsRejected()
    {
        var path = TestCertificates.WriteZip([]);
        using (var archive = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            archive.GetEntry(ZipVerifier.ManifestName)!.Delete();
        }

        var exception = Assert.Throws<CliException>(() => Verify(path, Chain(_authority)));

        Assert.Equal(ExitCodes.VerificationFailed, exception.ExitCode);
        Assert.Contains(ZipVerifier.ManifestName, exception.Message);
    }

    private static X509Certificate2Collection Chain(params X509Certificate2[] certificates) =>
        [.. certificates.Select(certificate => X509CertificateLoader.LoadCertificate(certificate.RawData))];

    private static VerificationReport VerifyZip(IEnumerable<DeviceFiles> devices, X509Certificate2Collection chain) =>
        Verify(TestCertificates.WriteZip(devices), chain);

    private static VerificationReport Verify(string zipPath, X509Certificate2Collection chain)
    {
        try
        {
            using var verifier = new CertificateVerifier("CA 'test'", chain, DateTimeOffset.UtcNow);
            return ZipVerifier.Verify(zipPath, verifier, CancellationToken.None);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(zipPath)!, recursive: true);
        }
    }

    private static string Describe(VerificationReport report) => string.Join(Environment.NewLine,
        report.Failures.Select(failure => $"{failure.CommonName}: {string.Join("; ", failure.Problems)}"));
}
