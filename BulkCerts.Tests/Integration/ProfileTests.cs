using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using BulkCerts.Tests.Support;

namespace BulkCerts.Tests.Integration;

/// <summary>
/// Certificate profiles end to end: templates, subject fields, key algorithms and formats. Most
/// tasks use EC keys, which cost well under a millisecond, so tasks can span several chunks.
/// </summary>
[Collection(BulkCertsAppCollection.Name)]
public sealed class ProfileTests(BulkCertsAppFixture fixture)
{
    private static readonly TimeSpan TaskTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task IncrementContinuesAcrossChunks()
    {
        var entries = await IssueAsync("""
            {"quantity": 250, "certInfo": {"commonName": "`dev-`00FE${increment}", "keyAlgorithm": "EC-P256"}}
            """);

        var names = TaskClient.ReadManifest(entries).Select(entry => entry.CommonName).ToList();
        var expected = Enumerable.Range(0, 250).Select(index => $"dev-{0xFE + index:X4}").ToList();
        Assert.Equal(expected, names);
        Assert.Equal("dev-0161", names[99]);
        Assert.Equal("dev-0162", names[100]);
    }

    [Fact]
    public async Task ListGivesEachCertificateItsName()
    {
        var serials = Enumerable.Range(0, 150).Select(index => $"sn-{index:x5}").ToList();
        var body = JsonSerializer.Serialize(new
        {
            certInfo = new { commonName = "`Line7/`${list}", commonNameList = serials, keyAlgorithm = "EC-P256" },
        });

        var entries = await IssueAsync(body);

        var manifest = TaskClient.ReadManifest(entries);
        Assert.Equal(serials.Select(serial => "Line7/" + serial.ToUpperInvariant()), manifest.Select(entry => entry.CommonName));
        foreach (var (commonName, certId) in manifest)
        {
            var certificate = X509Certificate2.CreateFromPem(entries[$"{certId}_cert.pem"]);
            Assert.Equal(commonName, certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false));
        }
    }

    [Fact]
    public async Task SubjectFieldsReachCertificate()
    {
        var entries = await IssueAsync("""
            {"quantity": 1, "certInfo": {"commonName": "subject-test", "organization": "Acme Devices",
             "organizationalUnit": "Line 7", "locality": "Springfield", "stateName": "Oregon", "country": "us",
             "emailAddress": "devices@example.com", "distinguishedNameQualifier": "QA-1", "daysExpiry": 90,
             "keyAlgorithm": "EC-P256",
             "subjectAltNames": {"dns": ["device-1.example.com"], "uri": ["urn:acme:device:1"], "ipAddress": ["192.0.2.7"]}}}
            """);
        var (_, certId) = Assert.Single(TaskClient.ReadManifest(entries));

        var text = await Openssl.DescribeCertificateAsync(entries[$"{certId}_cert.pem"]);

        Assert.Contains(
            "Subject: C = US, ST = Oregon, L = Springfield, O = Acme Devices, OU = Line 7, CN = subject-test, " +
            "emailAddress = devices@example.com, dnQualifier = QA-1",
            text);
        Assert.Contains("DNS:device-1.example.com", text);
        Assert.Contains("URI:urn:acme:device:1", text);
        Assert.Contains("IP Address:192.0.2.7", text);
        var certificate = X509Certificate2.CreateFromPem(entries[$"{certId}_cert.pem"]);
        Assert.InRange((certificate.NotAfter - certificate.NotBefore).TotalDays, 90, 90.01);
    }

    [Theory]
    [InlineData("RSA-2048", "-----BEGIN RSA PRIVATE KEY-----", "rsaEncryption")]
    [InlineData("RSA-3072", "-----BEGIN RSA PRIVATE KEY-----", "Public-Key: (3072 bit)")]
    [InlineData("EC-P256", "-----BEGIN PRIVATE KEY-----", "NIST CURVE: P-256")]
    [InlineData("EC-P384", "-----BEGIN PRIVATE KEY-----", "NIST CURVE: P-384")]
    [InlineData("Ed25519", "-----BEGIN PRIVATE KEY-----", "Public Key Algorithm: ED25519")]
    [InlineData("ML-DSA-44", "-----BEGIN PRIVATE KEY-----", "2.16.840.1.101.3.4.3.17")]
    [InlineData("ML-DSA-65", "-----BEGIN PRIVATE KEY-----", "2.16.840.1.101.3.4.3.18")]
    [InlineData("ML-DSA-87", "-----BEGIN PRIVATE KEY-----", "2.16.840.1.101.3.4.3.19")]
    public async Task KeyAlgorithmIsIssuedAndVerifies(string algorithm, string keyHeader, string expectedText)
    {
        var entries = await IssueAsync(
            $$$"""{"quantity": 1, "certInfo": {"commonName": "key-{{{algorithm}}}", "keyAlgorithm": "{{{algorithm}}}"}}""");
        var (_, certId) = Assert.Single(TaskClient.ReadManifest(entries));

        Assert.StartsWith(keyHeader, entries[$"{certId}_key.pem"]);
        Assert.Contains(expectedText, await Openssl.DescribeCertificateAsync(entries[$"{certId}_cert.pem"]));
        if (algorithm.StartsWith("ML-DSA", StringComparison.Ordinal))
        {
            // OpenSSL 3.0 cannot decode an ML-DSA public key, so openssl verify fails before it
            // checks the signature. The CA's RSA signature is checked from the DER instead.
            var authority = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(fixture.DefaultCaCertificatePath));
            Assert.True(IssuerSignature.IsSignedByRsaIssuer(entries[$"{certId}_cert.pem"], authority));
        }
        else
        {
            await AssertVerifiesAsync(entries[$"{certId}_cert.pem"]);
        }
    }

    [Fact]
    public async Task Pkcs8FormatAppliesToRsaKeys()
    {
        var entries = await IssueAsync("""
            {"quantity": 1, "certInfo": {"commonName": "pkcs8", "privateKeyFormat": "pkcs8"}}
            """);
        var (_, certId) = Assert.Single(TaskClient.ReadManifest(entries));

        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", entries[$"{certId}_key.pem"]);
    }

    private async Task<Dictionary<string, string>> IssueAsync(string body)
    {
        var taskId = await TaskClient.CreateAsync(fixture.Api, "/certificates", body);
        var (status, _) = await TaskClient.WaitForEndAsync(fixture.Api, taskId, TaskTimeout);
        Assert.True(status.GetProperty("status").GetString() == "complete", status.ToString());
        return await TaskClient.DownloadAsync(fixture.Api, taskId);
    }

    private async Task AssertVerifiesAsync(string certificatePem)
    {
        var folder = Directory.CreateTempSubdirectory("bulkcerts-profile-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "device.pem"), certificatePem);
            var result = await Openssl.RunAsync(folder, "verify", "-CAfile", fixture.DefaultCaCertificatePath, "device.pem");
            Assert.True(result.ExitCode == 0, result.Output + result.Error);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
